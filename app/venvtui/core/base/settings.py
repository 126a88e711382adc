"""Process-wide settings the CLI/TUI may set before calling the core."""

from __future__ import annotations

USE_CACHE = True  # read/write the probe cache (`--no-cache` turns it off)
PROBE_TIMEOUT = 5.0  # seconds an interpreter gets to answer the probe
