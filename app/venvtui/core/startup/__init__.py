"""How CPython starts: the start-up model over a filesystem view, the base interpreter's runtime facts, and the resolver of each creator's home."""
