"""Compile the decision engine's modules to C extensions with mypyc, or say why not.

    .venv/bin/python scripts/compile_engine.py [--require] [--clean] [--status]

The engine (``core/engine``, ``core/nlp``) is typed, mypy-strict Python; mypyc (part of
mypy) compiles exactly that code to C extension modules, which Python imports instead of
the ``.py`` files next to them. Same source, same results (a test compares the two),
about 1.4x the throughput (``bench/bench_engine.py``). ``./dev`` runs this after every
setup; it recompiles only when a compiled module's source, the Python or the mypy version,
or ``pyproject.toml`` changed (about 30 s), and is instant otherwise.

Without a C compiler or Python's headers the build fails: the compiled modules are then
removed, Baton runs the same code as plain Python, and this prints why (``--require``, as
CI uses, makes that an error instead). ``--clean`` removes the compiled modules;
``--status`` prints whether the engine is compiled, pure Python, or stale.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import importlib.machinery
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core/engine", "core/nlp")
GROUP = "baton_engine"  # the shared library: baton_engine__mypyc.<suffix> at the root
BUILD = ROOT / "build" / "engine"
STAMP = BUILD / "compiled"
FAILED = BUILD / "failed"
LOG = BUILD / "compile.log"
_SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def sources() -> list[Path]:
    """The modules compiled: every module of the engine's packages but their ``__init__``."""
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).glob("*.py")
        if path.name != "__init__.py"
    )


def extension_of(source: Path) -> Path:
    return source.with_name(source.stem + _SUFFIX)


def built() -> list[Path]:
    """Compiled modules present (for any source, current or not) and the shared library."""
    found = [p for package in PACKAGES for p in (ROOT / package).glob(f"*{_SUFFIX}")]
    return sorted(found + list(ROOT.glob(f"{GROUP}__mypyc*{_SUFFIX}")))


def fingerprint() -> str:
    """What a compiled build depends on: sources, Python, mypy, the project's settings and
    this script."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version}|{platform.machine()}|{_mypy_version()}".encode())
    for path in [*sources(), ROOT / "pyproject.toml", Path(__file__).resolve()]:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def status() -> str:
    """``compiled`` (every module, from the current sources), ``pure`` (none), or ``stale``
    (compiled from other sources, or only some modules compiled: Python would import the
    old code, so this must be fixed before running or testing)."""
    present = built()
    if not present:
        return "pure"
    current = STAMP.is_file() and STAMP.read_text().strip() == fingerprint()
    return "compiled" if _complete() and current else "stale"


def _complete() -> bool:
    """Every compiled source has its extension module."""
    return all(extension_of(s).exists() for s in sources())


def clean() -> None:
    for path in built():
        path.unlink()
    STAMP.unlink(missing_ok=True)


def _mypy_version() -> str:
    try:
        from mypy.version import __version__
    except ImportError:
        return "none"
    return __version__


def _build() -> subprocess.CompletedProcess[str]:
    """Run mypyc's setuptools build in a child process (setuptools exits on errors).

    A bare ``Distribution`` rather than ``setup()``: that would also read the project's
    ``pyproject.toml``, whose metadata an older setuptools in the venv may reject.
    """
    program = (
        "import setuptools, sys\n"
        "from mypyc.build import mypycify\n"
        "paths, group, target = sys.argv[1].split(','), sys.argv[2], sys.argv[3]\n"
        "modules = mypycify(paths, group_name=group, target_dir=target)\n"
        "build = setuptools.Distribution({'name': group, 'ext_modules': modules})\n"
        "build.script_args = sys.argv[4:]\n"
        "build.parse_command_line()\n"
        "build.run_commands()\n"
    )
    relative = [str(p.relative_to(ROOT)) for p in sources()]
    command = [
        sys.executable,
        "-c",
        program,
        ",".join(relative),
        GROUP,
        str(BUILD / "c"),
        "build_ext",
        "--inplace",
        "--build-temp",
        str(BUILD / "temp"),
        "--parallel",
        str(os.cpu_count() or 1),
    ]
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        command, cwd=ROOT, capture_output=True, text=True, check=False
    )


def compile_engine(require: bool) -> int:
    """Build unless the build is current; one build at a time (``./dev demo`` and ``./dev
    test`` started together must not write the same extension modules at once)."""
    BUILD.mkdir(parents=True, exist_ok=True)
    with (BUILD / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        return _compile_engine(require)


def _compile_engine(require: bool) -> int:
    want = fingerprint()
    state = status()
    if state == "compiled":
        return 0
    failed_before = FAILED.is_file() and FAILED.read_text().strip() == _attempt(want)
    if not require and failed_before and state == "pure":
        print(
            "note: the decision engine runs as plain Python (compiling it failed before; "
            f"see {LOG.relative_to(ROOT)}, or install a C compiler and Python's headers)",
            file=sys.stderr,
        )
        return 0
    clean()
    if _mypy_version() == "none" or shutil.which(_compiler()) is None:
        missing = "mypy" if _mypy_version() == "none" else f"a C compiler ({_compiler()})"
        return _fell_back(want, f"{missing} is not installed", require)
    print("==> compiling the decision engine with mypyc (once, about 30 s)", file=sys.stderr)
    done = _build()
    LOG.write_text(done.stdout + done.stderr)
    if done.returncode == 0 and _complete():
        STAMP.write_text(want + "\n")
        FAILED.unlink(missing_ok=True)
        return 0
    clean()
    last = (done.stderr.strip().splitlines() or ["no output"])[-1].rstrip(".")
    last = last if len(last) <= 160 else last[:157] + "..."  # the whole of it is in the log
    return _fell_back(want, f"the build failed: {last}", require, built=True)


def _attempt(want: str) -> str:
    """A failed build is not retried for the same sources and toolchain; installing a
    compiler or Python's headers afterwards makes the next setup try again."""
    headers = Path(sysconfig.get_paths()["include"], "Python.h").is_file()
    return f"{want} {shutil.which(_compiler())} {headers}"


def _compiler() -> str:
    return os.environ.get("CC", "cc").split()[0]


def _fell_back(want: str, why: str, require: bool, built: bool = False) -> int:
    FAILED.write_text(_attempt(want) + "\n")
    print(
        f"{'error' if require else 'note'}: could not compile the decision engine: {why}. "
        "Baton runs the same code as plain Python, at about 70 % of the throughput"
        + (f"; the build log is in {LOG.relative_to(ROOT)}" if built else "")
        + ". To compile it, install a C compiler and Python's headers (Debian, Ubuntu: "
        "apt-get install gcc python3-dev) and run ./dev setup.",
        file=sys.stderr,
    )
    return 1 if require else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--require", action="store_true", help="fail when it cannot compile")
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules")
    parser.add_argument("--status", action="store_true", help="print compiled, pure or stale")
    args = parser.parse_args(argv)
    if args.status:
        print(status())
        return 0
    if args.clean:
        clean()
        print("removed the compiled engine: Baton runs it as plain Python", file=sys.stderr)
        return 0
    return compile_engine(args.require)


if __name__ == "__main__":
    raise SystemExit(main())
