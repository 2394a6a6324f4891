"""``baton sandbox`` runs standalone, prints what a client needs, stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "SANDBOX_URL",
    "ZENDESK_SUBDOMAIN",
    "ZENDESK_EMAIL",
    "ZENDESK_TOKEN",
    "SALESFORCE_INSTANCE_URL",
    "SALESFORCE_SESSION_ID",
    "HUBSPOT_TOKEN",
]


@pytest.mark.slow
def test_prints_client_settings_serves_and_stops_cleanly(tmp_path: Path) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text('{"faults": [{"kind": "error", "api": "zendesk", "status": 502}]}')
    process = subprocess.Popen(
        [
            sys.executable,
            "main.py",
            "sandbox",
            "--port",
            "0",
            "--plan",
            "team",
            "--faults",
            str(faults),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in NAMES]
        settings = dict(line.split("=", 1) for line in lines)
        assert list(settings) == NAMES
        url = settings["SANDBOX_URL"]
        assert requests.get(f"{url}/_sandbox/health", timeout=5).json() == {"status": "ok"}
        auth = (f"{settings['ZENDESK_EMAIL']}/token", settings["ZENDESK_TOKEN"])
        # The fault file is active: every Zendesk call answers 502.
        assert requests.get(f"{url}/api/v2/users/me.json", auth=auth, timeout=5).status_code == 502
        requests.delete(f"{url}/_sandbox/faults", timeout=5)
        me = requests.get(f"{url}/api/v2/users/me.json", auth=auth, timeout=5)
        assert me.headers["x-rate-limit"] == "200"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
