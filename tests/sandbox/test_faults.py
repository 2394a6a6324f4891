"""Fault injection: each kind, where it sits relative to the side effect, and its sources."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from zenpy.lib.api_objects import Comment, Ticket
from zenpy.lib.exception import APIException

from sandbox.faults import FaultRule, FaultSet, load_fault_file, parse_fault_flag
from sandbox.server import SandboxServer
from tests.sandbox.conftest import ORIGIN, raw_session, zenpy_for

CREATE = f"{ORIGIN}/api/v2/tickets.json"
BODY = {"ticket": {"subject": "Fault test", "comment": {"body": "hello"}}}


def _created(server: SandboxServer) -> int:
    return server.state.ledger.count("zendesk", "ticket.create")


class TestKinds:
    def test_latency_before_delays_the_request(self, isolated: SandboxServer) -> None:
        isolated.state.faults.add({"kind": "latency", "api": "zendesk", "latency_ms": 150})
        http = raw_session(isolated)
        started = time.perf_counter()
        http.get(f"{ORIGIN}/api/v2/users/me.json").raise_for_status()
        assert time.perf_counter() - started >= 0.15

    def test_latency_after_commits_before_answering(self, isolated: SandboxServer) -> None:
        """A client that times out during post-commit latency still created the ticket."""
        isolated.state.faults.add(
            {
                "kind": "latency",
                "phase": "after",
                "latency_ms": 400,
                "method": "POST",
                "path": "/api/v2/tickets",
            }
        )
        with pytest.raises(requests.Timeout):
            raw_session(isolated).post(CREATE, json=BODY, timeout=0.1)
        assert _created(isolated) == 1

    def test_error_before_writes_nothing(self, isolated: SandboxServer) -> None:
        isolated.state.faults.add({"kind": "error", "api": "zendesk", "status": 503})
        zd = zenpy_for(isolated)
        with pytest.raises(APIException) as caught:
            zd.tickets.create(Ticket(subject="x", comment=Comment(body="y")))
        assert caught.value.response.status_code == 503
        assert caught.value.response.json()["error"] == "ServiceUnavailable"
        assert _created(isolated) == 0

    def test_error_after_commits_then_fails(self, isolated: SandboxServer) -> None:
        isolated.state.faults.add({"kind": "error", "phase": "after", "status": 500})
        answer = raw_session(isolated).post(CREATE, json=BODY)
        assert answer.status_code == 500
        assert _created(isolated) == 1

    def test_zendesk_429_fault_has_the_real_shape(self, isolated: SandboxServer) -> None:
        isolated.state.faults.add({"kind": "error", "status": 429, "retry_after": 7})
        answer = raw_session(isolated).get(f"{ORIGIN}/api/v2/users/me.json")
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "7"
        assert answer.headers["Content-Type"].startswith("text/plain")

    def test_drop_before_loses_the_request(self, isolated: SandboxServer) -> None:
        isolated.state.faults.add({"kind": "drop", "method": "POST"})
        with pytest.raises(requests.ConnectionError):
            raw_session(isolated).post(CREATE, json=BODY)
        assert _created(isolated) == 0

    def test_commit_then_fail_creates_and_drops(self, isolated: SandboxServer) -> None:
        """The ticket exists but the client only sees a dropped connection."""
        isolated.state.faults.add({"kind": "commit_then_fail", "path": "/api/v2/tickets"})
        zd = zenpy_for(isolated)
        with pytest.raises(requests.ConnectionError):
            zd.tickets.create(Ticket(subject="x", comment=Comment(body="y")))
        assert _created(isolated) == 1

    def test_hang_outlasts_the_client_timeout(self, isolated: SandboxServer) -> None:
        isolated.state.faults.add({"kind": "hang", "hang_seconds": 30, "times": 1})
        zd = zenpy_for(isolated, timeout=0.2)
        started = time.perf_counter()
        with pytest.raises(requests.Timeout):
            zd.tickets.create(Ticket(subject="x", comment=Comment(body="y")))
        assert time.perf_counter() - started < 5
        assert _created(isolated) == 0
        # The server is not stuck: the next request is served at once.
        assert raw_session(isolated).get(f"{ORIGIN}/api/v2/users/me.json").ok

    def test_outage_window_on_the_sandbox_clock(self, isolated: SandboxServer) -> None:
        isolated.state.faults.add(
            {"kind": "outage", "api": "zendesk", "starts_in": 60, "duration": 120}
        )
        http = raw_session(isolated)
        url = f"{ORIGIN}/api/v2/users/me.json"
        assert http.get(url).status_code == 200
        isolated.state.clock.advance(60)
        during = http.get(url)
        assert during.status_code == 503
        assert 1 <= int(during.headers["Retry-After"]) <= 120
        isolated.state.clock.advance(120)
        assert http.get(url).status_code == 200

    def test_times_limits_a_rule_and_get_retries_recover(self, isolated: SandboxServer) -> None:
        """zenpy's adapter retries a GET on 503, so one injected 503 goes unnoticed."""
        isolated.state.faults.add({"kind": "error", "status": 503, "times": 1})
        assert zenpy_for(isolated).users.me().id
        assert isolated.state.faults.remaining(isolated.state.faults.rules()[0].id or "") == 0


class TestScope:
    def test_rules_apply_per_api_by_path_prefix(self, isolated: SandboxServer) -> None:
        """A HubSpot rule answers in HubSpot's shape and leaves Zendesk alone."""
        isolated.state.faults.add({"kind": "error", "api": "hubspot", "status": 429})
        hubspot = requests.post(
            f"{isolated.url}/crm/v3/objects/contacts/search", json={}, timeout=5
        )
        assert hubspot.status_code == 429
        assert hubspot.json()["errorType"] == "RATE_LIMIT"
        salesforce_rule = isolated.state.faults.add(
            {"kind": "error", "api": "salesforce", "status": 503}
        )
        salesforce = requests.get(f"{isolated.url}/services/data/v59.0/query", timeout=5)
        assert salesforce.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
        assert raw_session(isolated).get(f"{ORIGIN}/api/v2/users/me.json").ok
        assert salesforce_rule.id is not None
        assert isolated.state.faults.remove(salesforce_rule.id)

    def test_admin_paths_are_never_faulted(self, isolated: SandboxServer) -> None:
        isolated.state.faults.add({"kind": "drop"})
        assert requests.get(f"{isolated.url}/_sandbox/health", timeout=5).ok


class TestSources:
    def test_http_admin_api(self, isolated: SandboxServer) -> None:
        base = f"{isolated.url}/_sandbox/faults"
        added = requests.post(
            base, json={"kind": "error", "status": 502, "api": "zendesk"}, timeout=5
        )
        assert added.status_code == 201
        assert raw_session(isolated).get(f"{ORIGIN}/api/v2/users/me.json").status_code == 502
        listed = requests.get(base, timeout=5).json()["faults"]
        assert [(f["kind"], f["status"]) for f in listed] == [("error", 502)]
        assert requests.delete(f"{base}/{listed[0]['id']}", timeout=5).status_code == 204
        assert raw_session(isolated).get(f"{ORIGIN}/api/v2/users/me.json").ok
        bad = requests.post(base, json={"kind": "explode"}, timeout=5)
        assert bad.status_code == 422

    def test_reset_clears_runtime_faults(self, isolated: SandboxServer) -> None:
        isolated.state.faults.add({"kind": "drop"})
        assert requests.post(f"{isolated.url}/_sandbox/reset", timeout=5).status_code == 204
        assert isolated.state.faults.rules() == []

    def test_yaml_file(self, tmp_path: Path) -> None:
        path = tmp_path / "faults.yaml"
        path.write_text(
            "faults:\n"
            "  - {kind: latency, api: zendesk, latency_ms: 200, jitter_ms: 50}\n"
            "  - {kind: error, api: salesforce, status: 503, rate: 0.1}\n",
            encoding="utf-8",
        )
        rules = load_fault_file(path)
        assert [(r.kind, r.api) for r in rules] == [("latency", "zendesk"), ("error", "salesforce")]

    def test_cli_flag(self) -> None:
        rule = parse_fault_flag("kind=hang,api=zendesk,path=/api/v2/tickets.json,hang_seconds=90")
        assert (rule.kind, rule.path, rule.hang_seconds) == ("hang", "/api/v2/tickets", 90.0)


class TestSampling:
    def test_rate_is_sampled_reproducibly(self) -> None:
        def outcomes(seed: int) -> list[bool]:
            faults = FaultSet(time.time, seed=seed)
            faults.add(FaultRule(kind="error", rate=0.3))
            return [faults.plan("zendesk", "GET", "/api/v2/x") is not None for _ in range(200)]

        first = outcomes(7)
        assert first == outcomes(7)
        assert 30 <= sum(first) <= 90

    def test_jitter_stays_in_range(self) -> None:
        faults = FaultSet(time.time, seed=1)
        faults.add(FaultRule(kind="latency", latency_ms=100, jitter_ms=50))
        delays = [faults.plan("zendesk", "GET", "/api/v2/x").delay_before for _ in range(50)]  # type: ignore[union-attr]
        assert all(0.1 <= d <= 0.15 for d in delays)
        assert len(set(delays)) > 1
