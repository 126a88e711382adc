"""The pure-Python ELF reader against `readelf -d`, and the missing-library verdict (B4)
against the dynamic loader itself."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.layouts import real_pythons
from venvtui.core.layout.elfdeps import check_libs, read_elf_deps
from venvtui.core.layout.view import Change, Overlay

READELF = shutil.which("readelf")
CC = shutil.which("cc") or shutil.which("gcc")


def readelf_deps(path: str) -> tuple[list[str], list[str], list[str]]:
    out = subprocess.run(
        [READELF or "readelf", "-d", "-W", path], capture_output=True, text=True, check=True
    ).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*?)\]", out)
    rpath = [
        p for m in re.findall(r"\(RPATH\)\s+Library rpath: \[(.*?)\]", out) for p in m.split(":")
    ]
    runpath = [
        p
        for m in re.findall(r"\(RUNPATH\)\s+Library runpath: \[(.*?)\]", out)
        for p in m.split(":")
    ]
    return needed, rpath, runpath


@pytest.mark.skipif(READELF is None, reason="readelf not installed")
def test_matches_readelf_on_real_binaries() -> None:
    binaries = [str(rp.exe) for rp in real_pythons()]
    binaries += [p for p in ("/usr/bin/python3", "/bin/ls", "/usr/bin/env") if os.path.exists(p)]
    if not binaries:
        pytest.skip("no ELF binaries to compare")
    for b in binaries:
        real = os.path.realpath(b)
        deps = read_elf_deps(real)
        assert deps is not None, b
        needed, rpath, runpath = readelf_deps(real)
        assert list(deps.needed) == needed, b
        assert list(deps.rpath) == rpath, b
        assert list(deps.runpath) == runpath, b


def test_not_elf_is_none(tmp_path: Path) -> None:
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\necho hi\n")
    assert read_elf_deps(str(script)) is None
    trunc = tmp_path / "trunc"
    trunc.write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 40)
    assert read_elf_deps(str(trunc)) is None  # too short to hold a header: never raises
    junk = tmp_path / "junk"
    junk.write_bytes(b"\x7fELF\x02\x01\x01" + os.urandom(4000))
    read_elf_deps(str(junk))  # whatever it says, it does not raise


@pytest.mark.skipif(CC is None, reason="no C compiler")
def test_missing_shared_library_found_like_the_loader(tmp_path: Path) -> None:
    """A program needing libhello.so via RUNPATH=$ORIGIN/../lib: found while the library is
    there (and the program runs), missing once it is gone (and the loader refuses)."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "bin").mkdir()
    (tmp_path / "hello.c").write_text("int hello(void) { return 7; }\n")
    (tmp_path / "main.c").write_text(
        "int hello(void);\nint main(void) { return hello() == 7 ? 0 : 1; }\n"
    )
    lib = tmp_path / "lib" / "libhello.so"
    prog = tmp_path / "bin" / "prog"
    subprocess.run(
        [CC or "cc", "-shared", "-fPIC", "-o", str(lib), str(tmp_path / "hello.c")], check=True
    )
    subprocess.run(
        [
            CC or "cc",
            "-o",
            str(prog),
            str(tmp_path / "main.c"),
            f"-L{tmp_path / 'lib'}",
            "-lhello",
            "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib",
        ],
        check=True,
    )
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    assert subprocess.run([str(prog)], env=env).returncode == 0
    ok = check_libs(str(prog))
    assert ok is not None and ok.missing == () and ok.found["libhello.so"] == str(lib)
    # the forecast view: the library removed, nothing touched yet
    sim = check_libs(str(prog), view=Overlay([Change("remove", str(lib))]))
    assert sim is not None and sim.missing == ("libhello.so",)
    lib.unlink()
    run = subprocess.run([str(prog)], env=env, capture_output=True, text=True)
    assert run.returncode != 0 and "libhello.so" in run.stderr
    gone = check_libs(str(prog))
    assert gone is not None and gone.missing == ("libhello.so",)
