"""What creators and installers leave on disk, read without running anything: symlinks, pyvenv.cfg, landmarks, ELF needs, and the filesystem view."""
