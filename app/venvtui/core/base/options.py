"""How the core may reach out: probe timeout, the probe cache, concurrency.

The CLI and the TUI build one `Options` (from `--timeout`, `--no-cache`) and pass it down;
the core keeps no process-wide settings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Options:
    probe_timeout: float = 5.0  # seconds an interpreter gets to answer the probe
    use_cache: bool = True  # read and write the probe cache (`--no-cache` turns it off)
    concurrency: int = 8  # interpreters probed at once


DEFAULT_OPTIONS = Options()
