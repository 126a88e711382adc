"""venvtui's core: no terminal UI, no textual or rich; the CLI and the TUI both call it.

Six towers, lowest first; a module imports only its own tower and those below it
(`tests/test_layering.py` enforces this):

- `base`: errors, frozen models, bounded reads (`safe_io`), path containment, subprocesses
  (`proc`), the config file, options, which paths are version-stamped (`stability`), and
  what an answer depended on (`observed`: noted by the inventory's locators; `readlog`: every
  read of a command, logged by wrapping the `os` functions).
- `layout`: what a creator and an installer leave on disk: symlink chains, `pyvenv.cfg`,
  stdlib landmarks, ELF needs, and the filesystem `view` (the real disk, or the disk as an
  installer event would leave it).
- `installed`: what is on this machine: interpreter sources, `interpreters`, `envs`, `probe`
  and its cache, the inventory `snapshot` (revalidated by stat calls), version requests and
  shims (`pyrequest`), installed distributions (`dists`).
- `startup`: how CPython starts: the one start-up `model` over a view, the base interpreter's
  `runtime` facts, and the `resolver` (which `home` each creator records, and why).
- `breaks`: what breaks: the `breakage` catalogue (codes B1-B7 with their fixes), installer
  `events`, the `forecast`, `whatif` questions, `health` (the diagnosis; its one status per
  environment in `status`) and `batch` (many environments: one snapshot, each install's
  answers shared, the confirming runs in a bounded pool).
- `write`: how we write: `plan` and its `journal`, link-safe `fsops`, the `ownership` rule, and
  the planners `create` and `repair`; `writer` is the one entry point.
"""
