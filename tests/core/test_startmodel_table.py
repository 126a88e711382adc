"""The start-up model over virtual trees: one row per layout class (issue classes 2-6, version
families, free-threaded, merged-/usr, framework, standalone with and without its getpath
patches). Each row checks the status, the sys.base_prefix, the stdlib directory, where the
search started and the breakage code, not only the status word."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.vtree import FILE, Tree, elf, install
from venvtui.core.startup.model import predict
from venvtui.core.startup.runtime import Runtime

ENV = "/home/u/env"
PY = f"{ENV}/bin/python"


@dataclass(frozen=True)
class Row:
    name: str
    tree: dict[str, object]
    cfg: tuple[tuple[str, str], ...]
    rt: Runtime
    status: str
    prefix: str | None
    start_from: str
    code: str = ""
    stdlib: str | None = None  # defaults to prefix/lib/pythonX.Y
    fallback: bool = False
    expected: str | None = None
    base_executable: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def env_link(target: str, home: str, version: str = "3.12.7") -> dict[str, object]:
    return {PY: target, f"{ENV}/pyvenv.cfg": FILE, "_cfg": (("home", home), ("version", version))}


def rt(v: str, **kw: object) -> Runtime:
    major, minor, micro = (int(p) for p in v.split("."))
    return Runtime(version=(major, minor, micro), **kw)  # type: ignore[arg-type]


# Debian 12, merged /usr: /bin -> usr/bin, /lib -> usr/lib (so /lib/python3.11/os.py exists).
DEBIAN = {
    "/bin": "usr/bin",
    "/lib": "usr/lib",
    "/usr/bin/python3": "python3.11",
    **install("/usr", "3.11"),
}
# a uv-managed standalone build: _sysconfigdata says the install dir, the binary keeps /install
UV = "/home/u/.local/share/uv/python/cpython-3.12.7-linux-x86_64-gnu"
# a Nix profile: a buildEnv whose bin and lib link into the python store path
STORE = "/nix/store/aaaa-python3-3.12.5"
PROFILE_ENV = "/nix/store/bbbb-user-env"
NIX = {
    **install(STORE, "3.12"),
    f"{STORE}/bin/python3": "python3.12",
    f"{PROFILE_ENV}/bin/python3": f"{STORE}/bin/python3",
    f"{PROFILE_ENV}/lib/python3.12": f"{STORE}/lib/python3.12",
    "/nix/var/nix/profiles/per-user/u/profile": "profile-7-link",
    "/nix/var/nix/profiles/per-user/u/profile-7-link": PROFILE_ENV,
    "/home/u/.nix-profile": "/nix/var/nix/profiles/per-user/u/profile",
}
CELLAR = "/home/linuxbrew/.linuxbrew/Cellar/python@3.12/3.12.7"
OPT = "/home/linuxbrew/.linuxbrew/opt/python@3.12"
FW = "/Library/Frameworks/Python.framework/Versions/3.12"


def barren(minor: str, *, shared: bool = False) -> dict[str, object]:
    """/opt/a is a complete install; /pub/bin/pythonX.Y links to it (home = /pub/bin)."""
    tree: dict[str, object] = {**install("/opt/a", minor)}
    if shared:
        tree[f"/opt/a/bin/python{minor}"] = elf(
            f"libpython{minor}.so.1.0", runpath=("$ORIGIN/../lib",)
        )
        tree[f"/opt/a/lib/libpython{minor}.so.1.0"] = FILE
    tree[f"/pub/bin/python{minor}"] = f"/opt/a/bin/python{minor}"
    return tree


ROWS = [
    # class 2: the root is never searched (getpath dirname('/bin') == ''): PREFIX /usr is used
    Row(
        "debian-merged-usr-home-bin",
        {**DEBIAN, **env_link("/bin/python3", "/bin", "3.11.2")},
        (),
        rt("3.11.2", compiled_prefix="/usr"),
        "ok",
        "/usr",
        "home",
        fallback=True,
        expected="/usr",
    ),
    # class 2: a relocated build whose PREFIX is gone, home barren: really broken, not
    # "misbound to /" (the root's lib/python3.11 is never a candidate)
    Row(
        "debian-root-not-a-prefix",
        {
            **DEBIAN,
            **install("/opt/tool", "3.11"),
            "/opt/bin/python3.11": "/opt/tool/bin/python3.11",
            **env_link("/opt/bin/python3.11", "/opt/bin", "3.11.2"),
        },
        (),
        rt("3.11.2", compiled_prefix="/usr/local"),
        "broken",
        None,
        "home",
        code="B2",
    ),
    # class 3: compiled PREFIX (/install) != _sysconfigdata prefix (uv's rewrite)
    Row(
        "uv-standalone-via-local-bin",
        {
            **install(UV, "3.12"),
            "/home/u/.local/bin/python3.12": f"{UV}/bin/python3.12",
            **env_link("/home/u/.local/bin/python3.12", "/home/u/.local/bin"),
        },
        (),
        rt("3.12.7", compiled_prefix="/install", standalone=True),
        "broken",
        None,
        "home",
        code="B2",
    ),
    # class 4: a Nix profile's stdlib is the store's own: not misbound
    Row(
        "nix-profile",
        {**NIX, **env_link("/home/u/.nix-profile/bin/python3", "/home/u/.nix-profile/bin")},
        (),
        rt("3.12.5", compiled_prefix=STORE),
        "ok",
        "/home/u/.nix-profile",
        "home",
        expected=STORE,
    ),
    # class 5: --copies through an executable-only link: falls back to its compiled PREFIX,
    # the matching stdlib (3.12 records `executable`; 3.10 does not)
    Row(
        "copies-via-exe-only-link-3.12",
        {
            **install("/opt/py/3.12.1", "3.12"),
            "/home/u/.local/bin/python3.12": "/opt/py/3.12.1/bin/python3.12",
            f"{ENV}/bin/python3.12": FILE,
            PY: "python3.12",
            f"{ENV}/pyvenv.cfg": FILE,
            "_cfg": (
                ("home", "/home/u/.local/bin"),
                ("version", "3.12.1"),
                ("executable", "/opt/py/3.12.1/bin/python3.12"),
            ),
        },
        (),
        rt("3.12.1", compiled_prefix="/opt/py/3.12.1"),
        "ok",
        "/opt/py/3.12.1",
        "home",
        fallback=True,
        expected="/opt/py/3.12.1",
    ),
    Row(
        "copies-via-exe-only-link-3.10",
        {
            **install("/opt/py/3.10.13", "3.10"),
            "/home/u/.local/bin/python3.10": "/opt/py/3.10.13/bin/python3.10",
            f"{ENV}/bin/python3.10": FILE,
            PY: "python3.10",
            f"{ENV}/pyvenv.cfg": FILE,
            "_cfg": (("home", "/home/u/.local/bin"), ("version", "3.10.13")),
        },
        (),
        rt("3.10.13", compiled_prefix="/opt/py/3.10.13"),
        "ok",
        "/opt/py/3.10.13",
        "home",
        fallback=True,
        expected="/opt/py/3.10.13",
    ),
    # ... but a relocated copy of a build (PREFIX elsewhere, holding another stdlib): the copy
    # came from the install its home's link leads to, and runs on another one
    Row(
        "copies-via-exe-only-link-3.10-relocated",
        {
            **install("/opt/reloc", "3.10"),
            **install("/opt/py/3.10.13", "3.10"),
            "/home/u/.local/bin/python3.10": "/opt/reloc/bin/python3.10",
            f"{ENV}/bin/python3.10": FILE,
            PY: "python3.10",
            f"{ENV}/pyvenv.cfg": FILE,
            "_cfg": (("home", "/home/u/.local/bin"), ("version", "3.10.13")),
        },
        (),
        rt("3.10.13", compiled_prefix="/opt/py/3.10.13"),
        "misbound",
        "/opt/py/3.10.13",
        "home",
        code="B2'",
        fallback=True,
        expected="/opt/reloc",
    ),
    # class 6: virtualenv 20.25.1-20.37: home realpath'd (Cellar), bin/python through opt
    Row(
        "virtualenv-20.26-cellar-home-opt-link",
        {
            **install(CELLAR, "3.12"),
            OPT: "../Cellar/python@3.12/3.12.7",
            **env_link(f"{OPT}/bin/python3.12", f"{CELLAR}/bin"),
        },
        (),
        rt("3.12.7", compiled_prefix=CELLAR),
        "ok",
        CELLAR,
        "home",
        expected=CELLAR,
        base_executable=f"{OPT}/bin/python3.12",
    ),
    # ... and after `brew upgrade` + `brew cleanup`: home is gone, the new build's PREFIX
    # (its own keg, as Homebrew's bottles are relocated at pour time) holds the stdlib
    Row(
        "virtualenv-20.26-after-upgrade",
        {
            **install("/home/linuxbrew/.linuxbrew/Cellar/python@3.12/3.12.8", "3.12"),
            OPT: "../Cellar/python@3.12/3.12.8",
            **env_link(f"{OPT}/bin/python3.12", f"{CELLAR}/bin"),
        },
        (),
        rt("3.12.8", compiled_prefix="/home/linuxbrew/.linuxbrew/Cellar/python@3.12/3.12.8"),
        "ok",
        "/home/linuxbrew/.linuxbrew/Cellar/python@3.12/3.12.8",
        "home",
        fallback=True,
    ),
    # free-threaded: lib/python3.13t (ABI_THREAD)
    Row(
        "free-threaded-3.13t",
        {
            **install("/opt/ft", "3.13", abi="t"),
            **env_link("/opt/ft/bin/python3.13t", "/opt/ft/bin", "3.13.0"),
        },
        (),
        rt("3.13.0", free_threaded=True, compiled_prefix="/opt/ft"),
        "ok",
        "/opt/ft",
        "home",
        stdlib="/opt/ft/lib/python3.13t",
        expected="/opt/ft",
    ),
    Row(
        "free-threaded-3.13t-unprobed",
        {
            **install("/opt/ft", "3.13", abi="t"),
            **env_link("/opt/ft/bin/python3.13t", "/opt/ft/bin", "3.13.0"),
        },
        (),
        Runtime(),
        "ok",
        "/opt/ft",
        "home",
        stdlib="/opt/ft/lib/python3.13t",
        expected="/opt/ft",
    ),
    # version families over the same barren home (PREFIX /install: no stdlib there)
    Row(
        "barren-home-3.10-follows-the-link",
        {**barren("3.10"), **env_link("/pub/bin/python3.10", "/pub/bin", "3.10.13")},
        (),
        rt("3.10.13", compiled_prefix="/install"),
        "ok",
        "/opt/a",
        "link",
        expected="/opt/a",
        base_executable="/home/u/env/bin/python",
    ),
    Row(
        "barren-home-3.11",
        {**barren("3.11"), **env_link("/pub/bin/python3.11", "/pub/bin", "3.11.7")},
        (),
        rt("3.11.7", compiled_prefix="/install"),
        "broken",
        None,
        "home",
        code="B2",
    ),
    Row(
        "barren-home-3.12-prefix-is-another-install",
        {
            **barren("3.12"),
            **install("/usr/local", "3.12"),
            **env_link("/pub/bin/python3.12", "/pub/bin"),
        },
        (),
        rt("3.12.7", compiled_prefix="/usr/local"),
        "misbound",
        "/usr/local",
        "home",
        code="B2'",
        fallback=True,
        expected="/opt/a",
    ),
    Row(
        "barren-home-3.14-upstream-libpython-dir-misses",
        {**barren("3.14", shared=True), **env_link("/pub/bin/python3.14", "/pub/bin", "3.14.0")},
        (),
        rt("3.14.0", compiled_prefix="/install"),
        "broken",
        None,
        "home",
        code="B2",
    ),
    Row(
        "barren-home-3.14-standalone-libpython-first",
        {**barren("3.14", shared=True), **env_link("/pub/bin/python3.14", "/pub/bin", "3.14.0")},
        (),
        rt("3.14.0", compiled_prefix="/install", standalone=True),
        "ok",
        "/opt/a",
        "library",
        expected="/opt/a",
    ),
    Row(
        "barren-home-3.12-standalone-getpath-patched",
        {**barren("3.12"), **env_link("/pub/bin/python3.12", "/pub/bin")},
        (),
        rt("3.12.7", compiled_prefix="/install", standalone=True, getpath_patched=True),
        "ok",
        "/opt/a",
        "base-executable",
        expected="/opt/a",
    ),
    # macOS framework: the prefix is the framework's Versions/X.Y; home is not used
    Row(
        "macos-framework",
        {
            **install(FW, "3.12"),
            f"{FW}/Python": FILE,
            "/usr/local/bin/python3.12": f"{FW}/bin/python3.12",
            **env_link("/usr/local/bin/python3.12", "/usr/local/bin"),
        },
        (),
        rt("3.12.7", framework=True, library=f"{FW}/Python", compiled_prefix=FW),
        "ok",
        FW,
        "library",
        expected=FW,
        base_executable=f"{FW}/bin/python3.12",
    ),
    # B1, B3
    Row(
        "dangling",
        {**env_link("/opt/gone/bin/python3.12", "/opt/gone/bin")},
        (),
        rt("3.12.7"),
        "broken",
        None,
        "link",
        code="B1",
    ),
    Row(
        "minor-drift",
        {
            **install("/usr", "3.13"),
            "/usr/bin/python3": "python3.13",
            **env_link("/usr/bin/python3", "/usr/bin", "3.12.3"),
        },
        (),
        rt("3.13.1", compiled_prefix="/usr"),
        "drift",
        "/usr",
        "home",
        code="B3",
        expected="/usr",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_start_model_table(row: Row) -> None:
    spec = dict(row.tree)
    cfg = spec.pop("_cfg", row.cfg)
    st = predict(Tree(spec), ENV, PY, cfg, row.rt)  # type: ignore[arg-type]
    got = (st.status, st.prefix, st.start_from, st.code, st.via_prefix_fallback)
    want = (row.status, row.prefix, row.start_from, row.code, row.fallback)
    assert got == want, [r.text for r in st.why]
    if row.prefix is not None:
        abi = (st.running_minor or "") + ("t" if st.free_threaded else "")
        assert st.stdlib == (row.stdlib or f"{row.prefix}/lib/python{abi}")
    else:
        assert st.stdlib is None
    if row.expected is not None:
        assert st.expected_prefix == row.expected
    if row.base_executable is not None:
        assert st.base_executable == row.base_executable
