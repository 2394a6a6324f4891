"""The context page and the note, rendered by a real headless browser (Debian's Chromium).

Skipped with a reason when ``/usr/bin/chromium`` is absent, except under ``CI=true`` where
a missing browser fails the run. Screenshots are kept in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from core.context.links import sign_context_link
from core.handoff import build_handoff_draft
from render.example import T0, example_context, note_page
from tests.context.helpers import serve
from web.context import context_router

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("BATON_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SECRET = "browser-secret"
NOW = T0 + timedelta(minutes=10)


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (install Debian's chromium: apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return CHROMIUM


def run_chromium(chromium: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(chromium),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    env = {**os.environ, "HOME": str(profile)}
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True, env=env)


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    app = FastAPI()
    app.include_router(
        context_router(
            load=lambda c, e: example_context() if (c, e) == ("conv_8812", 1) else None,
            secrets=[SECRET],
            clock=lambda: NOW,
        )
    )
    with serve(app) as base:
        yield sign_context_link(base, "conv_8812", 1, SECRET, NOW + timedelta(days=1))


def test_the_context_page_renders_in_chromium(
    chromium: Path, page_url: str, tmp_path: Path
) -> None:
    dom = run_chromium(chromium, tmp_path / "profile", "--dump-dom", page_url).stdout
    assert "<title>Ana Tan · Baton context</title>" in dom
    assert dom.count('class="turn customer"') == 6
    assert "angry 0.88" in dom
    assert "<svg" in dom
    assert dom.count("<circle") == 6
    assert "Lumen Foods Pte Ltd" in dom
    assert "Hi Ana," in dom
    assert "4111" not in dom
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "context-page.png"
    shot.unlink(missing_ok=True)
    run_chromium(
        chromium, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,1600", page_url
    )
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert shot.stat().st_size > 20_000  # a blank page compresses to a few KB


def test_a_refused_link_renders_its_reason(chromium: Path, page_url: str, tmp_path: Path) -> None:
    tampered = page_url.replace("sig=", "sig=0")
    dom = run_chromium(chromium, tmp_path / "profile", "--dump-dom", tampered).stdout
    assert "Link refused" in dom
    assert "signature does not match" in dom


def test_the_note_renders_in_chromium(chromium: Path, tmp_path: Path) -> None:
    page = tmp_path / "note.html"
    page.write_text(note_page(build_handoff_draft(example_context()).note_html), "utf-8")
    dom = run_chromium(chromium, tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    for section in ("Who", "Why Baton escalated", "Bot intent", "Frustration", "Urgency"):
        assert f"<h3>{section}</h3>" in dom
    assert "<blockquote>Hi Ana," in dom
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "note.png"
    shot.unlink(missing_ok=True)
    run_chromium(
        chromium,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=820,2200",
        page.as_uri(),
    )
    assert shot.read_bytes().startswith(b"\x89PNG")
