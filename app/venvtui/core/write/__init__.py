"""How venvtui writes: plans, journal and recovery, link-safe file operations, ownership, and the create/repair planners."""
