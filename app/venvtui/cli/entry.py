"""The `venvtui` console script.

`venvtui interpreters --json` is answered from the inventory snapshot when it is still valid
(`core.installed.snapshot`), before argparse, the models and the locators are imported: on
that path they cost more than the answer. Every other command line, and a snapshot that
cannot answer, goes to `venvtui.cli.main`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

_WARM = ["interpreters", "--json"]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == _WARM:
        code = _warm_interpreters()
        if code is not None:
            return code
    from venvtui.cli.main import main as full

    return full(args)


def _warm_interpreters() -> int | None:
    from venvtui.core.installed import snapshot

    doc = snapshot.load()
    if doc is None:
        return None
    from venvtui.cli.output import list_indent, safe_streams, write_json

    with safe_streams():
        # The document `cmd_interpreters` prints: a kept inventory never has probe errors.
        write_json(
            {
                "schema_version": doc["schema_version"],
                "interpreters": doc["interpreters"],
                "errors": [],
            },
            indent=list_indent(),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
