"""The compiled engine (mypyc, ``scripts/compile_engine.py``) decides as the Python source does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from commands.scenarios import load_scenarios
from core.engine import compiled
from main import app

ROOT = Path(__file__).resolve().parents[2]
PURE = """
import sys
import core.engine.engine, core.nlp.models
for module in (core.engine.engine, core.nlp.models):
    assert module.__file__.endswith(".py"), module.__file__
from main import app
app(["replay", "--input", sys.argv[1], "--output", sys.argv[2]])
"""


@pytest.mark.skipif(
    os.environ.get("CI") != "true", reason="./dev compiles the engine when it can; CI must"
)
def test_ci_tests_the_compiled_engine() -> None:
    assert compiled()


@pytest.mark.skipif(
    not compiled(),
    reason="the engine is not compiled here (scripts/compile_engine.py found no C compiler)",
)
def test_compiled_and_pure_python_engines_write_the_same_decisions(tmp_path: Path) -> None:
    events = [e for s in load_scenarios(datetime(2026, 11, 30, 9, tzinfo=UTC)) for e in s.events]
    source = tmp_path / "events.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    compiled, pure = tmp_path / "compiled.jsonl", tmp_path / "pure.jsonl"
    result = CliRunner().invoke(app, ["replay", "--input", str(source), "--output", str(compiled)])
    assert result.exit_code == 0, result.output

    # The same sources without the extension modules next to them: plain Python.
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "core", copy / "core", ignore=shutil.ignore_patterns("*.so"))
    done = subprocess.run(
        [sys.executable, "-c", PURE, str(source), str(pure)],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    lines = compiled.read_text(encoding="utf-8").splitlines()
    assert sum(json.loads(line)["escalate"] for line in lines) >= 10  # a real workload
    assert lines == pure.read_text(encoding="utf-8").splitlines()
