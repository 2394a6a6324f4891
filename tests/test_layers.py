"""core/ is pure: it imports no connector, store, web layer, scheduler or SDK."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "connectors", "store", "web", "scheduler", "sandbox", "commands", "config",
    "observability", "main", "zenpy", "simple_salesforce", "hubspot", "requests", "httpx",
    "urllib3", "sqlalchemy", "fastapi", "starlette", "uvicorn", "socket", "subprocess",
}  # fmt: skip


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    "module", sorted((ROOT / "core").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_core_module_imports_nothing_outside_core(module: Path) -> None:
    assert imported_roots(module) & FORBIDDEN == set()


def test_the_check_would_catch_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from connectors.zendesk import ZendeskTickets\nimport sqlalchemy.orm\n")
    assert imported_roots(bad) & FORBIDDEN == {"connectors", "sqlalchemy"}
