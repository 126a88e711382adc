"""pyvenv.cfg reader/writer: byte-exact round trips, CPython's duplicate-key rules, edits."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venvtui.core.base.errors import CfgError
from venvtui.core.layout.pyvenv_cfg import PyvenvCfg, read_cfg, render_cfg

VENV_CFG = (
    b"home = /usr/bin\n"
    b"include-system-site-packages = false\n"
    b"version = 3.11.2\n"
    b"executable = /usr/bin/python3.11\n"
    b"command = /usr/bin/python3 -m venv /tmp/v\n"
)


def test_parse_plain_venv_cfg() -> None:
    cfg = PyvenvCfg.parse(VENV_CFG)
    assert cfg.items()[0] == ("home", "/usr/bin")
    assert cfg.get("HOME") == "/usr/bin"
    assert cfg.get("version") == "3.11.2"
    assert cfg.get("missing") is None
    assert "home" in cfg and "nope" not in cfg
    assert cfg.problems == ()
    assert cfg.to_bytes() == VENV_CFG


def test_round_trip_keeps_crlf_bom_comments_and_junk() -> None:
    data = (
        b"\xef\xbb\xbfhome = C:\\Python312\r\n"
        b"# a comment = not a key\r\n"
        b"\r\n"
        b"  weird line without equals  \r\n"
        b"Unknown-Key=  spaced value  \r\n"
        b"prompt = '\xff\xfe not utf8'"
    )
    cfg = PyvenvCfg.parse(data)
    assert cfg.to_bytes() == data
    assert cfg.bom
    # BOM: CPython reads the first key as "\ufeffhome" and does not recognise it
    assert cfg.get("home") is None
    assert cfg.items()[0] == ("\ufeffhome", "C:\\Python312")
    assert cfg.get("unknown-key") == "spaced value"
    assert any("byte-order mark" in p for p in cfg.problems)
    assert any("line 4" in p and "no '='" in p for p in cfg.problems)
    assert any("line 6" in p and "UTF-8" in p for p in cfg.problems)
    assert [ln.kind for ln in cfg.lines] == ["pair", "comment", "blank", "bad", "pair", "pair"]
    edited = cfg.with_values({"home": "/x"})
    assert not edited.bom and edited.get("home") == "/x"
    assert cfg.with_values({"version": "1"}).bom
    fixed = cfg.cleaned()
    assert fixed.get("home") == "C:\\Python312"
    assert [ln.kind for ln in fixed.lines] == ["pair", "comment", "blank", "pair", "pair"]
    assert fixed.to_bytes() == b"".join(
        ln for i, ln in enumerate(data[3:].splitlines(keepends=True)) if i != 3
    )


def test_duplicate_keys_first_for_getpath_last_for_site() -> None:
    cfg = PyvenvCfg.parse(
        b"home = /a\nHome = /b\ninclude-system-site-packages = true\n"
        b"include-system-site-packages = false\n"
    )
    assert cfg.get("home") == "/a"
    assert cfg.get_last("home") == "/b"
    assert cfg.get_last("include-system-site-packages") == "false"
    assert len([p for p in cfg.problems if "duplicate" in p]) == 2
    assert len(cfg.items()) == 4


def test_size_and_bare_cr_problems() -> None:
    assert any("32 KiB" in p for p in PyvenvCfg.parse(b"# x\n" * 9000).problems)
    cr = PyvenvCfg.parse(b"home = /a\rversion = 3.12.1\r")
    assert cr.get("version") == "3.12.1"
    assert any("bare CR" in p for p in cr.problems)
    assert cr.to_bytes() == b"home = /a\rversion = 3.12.1\r"


def test_with_values_edits_in_place_and_appends() -> None:
    data = b"home=/old/bin\r\n# keep me\r\nversion = 3.12.1\r\nhome = /dup\r\nprompt = 'x'"
    cfg = PyvenvCfg.parse(data)
    new = cfg.with_values(
        {"HOME": "/new/bin", "executable": "/new/bin/python3.12"}, remove=["prompt"]
    )
    assert new.to_bytes() == (
        b"home=/new/bin\r\n# keep me\r\nversion = 3.12.1\r\nhome = /dup\r\n"
        b"executable = /new/bin/python3.12\r\n"
    ).replace(b"home = /dup", b"home = /new/bin")
    assert new.get("home") == new.get_last("home") == "/new/bin"
    assert new.get("prompt") is None
    # unchanged input stays byte-identical
    assert cfg.to_bytes() == data
    assert cfg.with_values({}).to_bytes() == data


def test_with_values_appends_after_unterminated_last_line() -> None:
    new = PyvenvCfg.parse(b"home = /a").with_values({"version": "3.12.1"})
    assert new.to_bytes() == b"home = /a\nversion = 3.12.1\n"


@pytest.mark.parametrize("key", ["", "a=b", "two\nlines", " padded", "#x"])
def test_invalid_keys_refused(key: str) -> None:
    with pytest.raises(CfgError):
        PyvenvCfg.parse(b"").with_values({key: "v"})
    with pytest.raises(CfgError):
        render_cfg([(key, "v")])


def test_multiline_value_refused() -> None:
    with pytest.raises(CfgError):
        PyvenvCfg.parse(VENV_CFG).with_values({"home": "/a\nhome = /b"})


def test_render_cfg() -> None:
    data = render_cfg([("home", "/usr/bin"), ("version", "3.11.2")])
    assert data == b"home = /usr/bin\nversion = 3.11.2\n"
    assert PyvenvCfg.parse(data).items() == (("home", "/usr/bin"), ("version", "3.11.2"))


def test_read_cfg_errors(tmp_path: Path) -> None:
    with pytest.raises(CfgError, match="cannot read"):
        read_cfg(tmp_path / "nope.cfg")
    with pytest.raises(CfgError):
        read_cfg(tmp_path)
    (tmp_path / "pyvenv.cfg").write_bytes(VENV_CFG)
    assert read_cfg(tmp_path / "pyvenv.cfg").get("home") == "/usr/bin"


# --- real creators as oracles ---------------------------------------------------------------


def _tool(name: str) -> str:
    import sys

    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.skip(f"{name} not installed next to {sys.executable}")
    return str(path)


def _tool_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        UV_CACHE_DIR=str(tmp_path / "uvcache"),
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_CONFIG="1",
        VIRTUALENV_OVERRIDE_APP_DATA=str(tmp_path / "vappdata"),
    )
    env.pop("VIRTUAL_ENV", None)
    return env


@pytest.mark.parametrize("creator", ["venv", "virtualenv", "uv"])
def test_real_creators_cfg_round_trip(tmp_path: Path, creator: str) -> None:
    import sys

    dest = tmp_path / "env"
    if creator == "venv":
        argv = [sys.executable, "-m", "venv", "--without-pip", str(dest)]
    elif creator == "virtualenv":
        argv = [_tool("virtualenv"), "--no-seed", "--no-download", "-p", sys.executable, str(dest)]
    else:
        argv = [
            _tool("uv"),
            "venv",
            "--no-config",
            "--offline",
            "-q",
            "-p",
            sys.executable,
            str(dest),
        ]
    subprocess.run(argv, check=True, env=_tool_env(tmp_path), capture_output=True, timeout=120)
    data = (dest / "pyvenv.cfg").read_bytes()
    cfg = read_cfg(dest / "pyvenv.cfg")
    assert cfg.to_bytes() == data
    assert cfg.problems == ()
    home = cfg.get("home")
    assert home and os.path.isdir(home)
    # what the created interpreter itself reads (site.venv -> sys._home) agrees with get_last()
    out = subprocess.run(
        [str(dest / "bin" / "python"), "-c", "import sys; print(sys._home)"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    assert out == cfg.get_last("home")
    marker = {"venv": "command", "virtualenv": "virtualenv", "uv": "uv"}[creator]
    assert cfg.get(marker)
    edited = cfg.with_values({"home": home})
    assert edited.to_bytes() == data


# --- properties -----------------------------------------------------------------------------

_key = st.sampled_from(["home", "HOME", "version", "include-system-site-packages", "uv", "x-y"])
_value = st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=20)
_line = st.one_of(
    st.builds(
        lambda k, a, b, v: f"{k}{a}={b}{v}",
        _key,
        st.sampled_from(["", " ", "\t"]),
        st.sampled_from(["", " ", "  "]),
        _value,
    ),
    st.builds(lambda v: "#" + v, _value),
    st.just(""),
    st.just("   "),
    _value,
)
_ending = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def _cfg_bytes(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.tuples(_line, _ending), max_size=12))
    text = "".join(a + b for a, b in lines)
    if draw(st.booleans()) and lines:
        text = text.rstrip("\r\n")
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data


@settings(max_examples=150, deadline=None)
@given(_cfg_bytes())
def test_property_cfg_like_text_round_trips(data: bytes) -> None:
    assert PyvenvCfg.parse(data).to_bytes() == data


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_property_any_bytes_round_trip(data: bytes) -> None:
    assert PyvenvCfg.parse(data).to_bytes() == data


@settings(max_examples=100, deadline=None)
@given(
    _cfg_bytes(),
    st.sampled_from(["home", "version", "newkey"]),
    st.text(alphabet="abc/ .-", max_size=10),
)
def test_property_with_values_keeps_other_lines(data: bytes, key: str, value: str) -> None:
    cfg = PyvenvCfg.parse(data)
    new = cfg.with_values({key: value})
    assert new.get(key) == value.strip()
    assert new.get_last(key) == value.strip()

    def others(c: PyvenvCfg) -> list[tuple[str, str]]:
        return [
            (ln.text, ln.ending)
            for ln in c.lines
            if not (ln.kind == "pair" and ln.key.lower().removeprefix("\ufeff") == key)
        ]

    before, after = others(cfg), others(new)
    if cfg.bom:
        first = cfg.lines[0] if cfg.lines else None
        touched = first is None or (
            first.kind == "pair" and first.key.lower().removeprefix("\ufeff") == key
        )
        assert new.bom is not touched
    assert [t for t, _ in after] == [t for t, _ in before]
    # endings kept, except a final unterminated line that gained one to append after it
    assert [e for _, e in after[:-1]] == [e for _, e in before[:-1]]


@pytest.mark.realpython
def test_cpython_reads_duplicates_and_bom_as_documented(tmp_path: Path) -> None:
    exe = Path.home() / ".pyenv" / "versions" / "3.12.1" / "bin" / "python3.12"
    if not exe.is_file():
        pytest.skip("no pyenv CPython 3.12.1")
    venv = tmp_path / "v"
    subprocess.run(
        [str(exe), "-m", "venv", "--copies", "--without-pip", str(venv)], check=True, timeout=120
    )
    barren = tmp_path / "barren" / "bin"
    barren.mkdir(parents=True)
    python = venv / "bin" / "python3.12"
    code = "import sys; print(sys._home); print(sys._base_executable)"

    def run() -> list[str]:
        out = subprocess.run(
            [str(python), "-c", code], capture_output=True, text=True, timeout=60, check=True
        )
        return out.stdout.splitlines()

    cfg_path = venv / "pyvenv.cfg"
    data = f"home = {barren}\nhome = {exe.parent}\ninclude-system-site-packages = false\n"
    cfg_path.write_text(data)
    cfg = read_cfg(cfg_path)
    home_seen_by_site, base_executable = run()
    # site.venv(): last `home` wins (-> sys._home)
    assert home_seen_by_site == cfg.get_last("home") == str(exe.parent)
    # getpath: first `home` wins (a copied binary: base_executable = home/basename)
    assert base_executable == os.path.join(cfg.get("home") or "", "python3.12")
    # A BOM hides the first key from both readers
    cfg_path.write_bytes(b"\xef\xbb\xbf" + f"home = {exe.parent}\n".encode())
    cfg = read_cfg(cfg_path)
    assert cfg.get("home") is None
    home_seen_by_site, base_executable = run()
    assert home_seen_by_site == "None"
    assert base_executable == str(python)  # getpath saw no home: not treated as a venv base
