"""``scripts/compile_engine.py`` without a C compiler: plain Python, said clearly, nothing stale."""

from __future__ import annotations

import importlib.machinery
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The engine's sources and the script, without any compiled module."""
    for part in ("core", "scripts"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("*.so"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def _run(
    checkout: Path, *args: str, cc: str = "baton-no-such-compiler"
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CC=cc)
    return subprocess.run(
        [sys.executable, str(checkout / "scripts" / "compile_engine.py"), *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_a_compiler_the_engine_stays_python_and_says_why(checkout: Path) -> None:
    done = _run(checkout)
    assert done.returncode == 0
    assert "could not compile the decision engine" in done.stderr
    assert "baton-no-such-compiler" in done.stderr
    assert _run(checkout, "--status").stdout.strip() == "pure"
    again = _run(checkout)  # the next setup does not try again for the same sources
    assert again.returncode == 0
    assert "runs as plain Python" in again.stderr


def test_ci_requires_the_compiled_engine(checkout: Path) -> None:
    done = _run(checkout, "--require")
    assert done.returncode == 1
    assert done.stderr.startswith("error: could not compile")


def test_a_stale_build_is_reported_and_removed(checkout: Path) -> None:
    old = checkout / "core" / "engine" / f"triggers{SUFFIX}"
    old.write_bytes(b"")  # compiled from other sources: Python would import it
    assert _run(checkout, "--status").stdout.strip() == "stale"
    assert _run(checkout).returncode == 0
    assert not old.exists()
    assert _run(checkout, "--status").stdout.strip() == "pure"


def test_a_compiler_installed_later_is_tried(checkout: Path) -> None:
    assert _run(checkout).returncode == 0  # no compiler: plain Python, remembered
    # a "compiler" that exists but fails: the build is tried again, fails, and says so
    done = _run(checkout, cc="false")
    assert "==> compiling the decision engine" in done.stderr
    assert "the build failed" in done.stderr
    assert "build/engine/compile.log" in done.stderr
    assert _run(checkout, "--status").stdout.strip() == "pure"
