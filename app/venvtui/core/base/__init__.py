"""Foundation of the core: errors, models, bounded reads, subprocesses, config, options. Imports no other tower."""
