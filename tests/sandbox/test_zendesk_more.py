"""The rest of the Zendesk surface: bulk creation, listing, directory objects, uploads,
CSAT and the incremental export — each through the real zenpy."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import (
    Comment,
    Group,
    JobStatus,
    Organization,
    SatisfactionRating,
    Ticket,
    TicketField,
    Upload,
    User,
)
from zenpy.lib.exception import RecordNotFoundException, TooManyValuesException

from sandbox.http import parse_bool
from sandbox.server import SandboxServer
from sandbox.zendesk.seed import TICKET_FIELDS
from tests.sandbox.conftest import ORIGIN, raw_session, zenpy_for


def _tickets(n: int, prefix: str = "bulk") -> list[Ticket]:
    return [
        Ticket(
            subject=f"{prefix} {i}", comment=Comment(body=f"body {i}"), external_id=f"{prefix}-{i}"
        )
        for i in range(n)
    ]


def _wait_for_job(zd: Zenpy, job_id: str) -> JobStatus:
    seen = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        job = zd.job_status(id=job_id)
        seen.append(job.status)
        if job.status == "completed":
            return job
        time.sleep(0.02)
    raise AssertionError(f"job never completed: {seen}")


class TestCreateMany:
    def test_job_goes_queued_working_completed(self, isolated: SandboxServer) -> None:
        zd = zenpy_for(isolated)
        job = zd.tickets.create(_tickets(3))
        assert isinstance(job, JobStatus)
        assert (job.status, job.total) == ("queued", 3)
        assert job.url == f"{ORIGIN}/api/v2/job_statuses/{job.id}.json"
        done = _wait_for_job(zd, job.id)
        assert [r.index for r in done.results] == [0, 1, 2]
        assert done.progress == 3
        created = [zd.tickets(id=r.id).external_id for r in done.results]
        assert created == ["bulk-0", "bulk-1", "bulk-2"]
        assert isolated.state.ledger.count("zendesk", "ticket.create") == 3

    def test_more_than_100_is_too_many_values(self, isolated: SandboxServer) -> None:
        zd = zenpy_for(isolated)
        with pytest.raises(TooManyValuesException) as caught:
            zd.tickets.create(_tickets(101))
        body = caught.value.response.json()
        assert (body["error"], body["max_count"]) == ("TooManyValues", 100)
        assert isolated.state.ledger.count("zendesk", "ticket.create") == 0


class TestListing:
    def test_cursor_pagination_follows_links_across_pages(self, isolated: SandboxServer) -> None:
        zd = zenpy_for(isolated)
        _wait_for_job(zd, zd.tickets.create(_tickets(100, "a")).id)
        _wait_for_job(zd, zd.tickets.create(_tickets(5, "b")).id)
        listed = list(zd.tickets())
        assert len(listed) == 105
        assert all(isinstance(t, Ticket) for t in listed)
        assert [t.id for t in listed] == sorted(t.id for t in listed)

    def test_offset_pagination(self, isolated: SandboxServer) -> None:
        zd = zenpy_for(isolated)
        _wait_for_job(zd, zd.tickets.create(_tickets(5)).id)
        http = raw_session(isolated)
        first = http.get(f"{ORIGIN}/api/v2/tickets.json", params={"per_page": 2}).json()
        assert first["count"] == 5
        assert first["previous_page"] is None
        assert first["next_page"] == f"{ORIGIN}/api/v2/tickets.json?per_page=2&page=2"
        last = http.get(f"{ORIGIN}/api/v2/tickets.json?per_page=2&page=3").json()
        assert len(last["tickets"]) == 1
        assert last["next_page"] is None

    def test_show_many_and_external_id_filter(self, isolated: SandboxServer) -> None:
        zd = zenpy_for(isolated)
        done = _wait_for_job(zd, zd.tickets.create(_tickets(3)).id)
        ids = [r.id for r in done.results]
        shown = list(zd.tickets(ids=[ids[0], ids[2], 999_999]))
        assert [t.id for t in shown] == [ids[0], ids[2]]
        by_external = list(zd.tickets(external_id="bulk-1"))
        assert [t.id for t in by_external] == [ids[1]]

    def test_page_size_over_100_is_rejected(self, http: requests.Session) -> None:
        answer = http.get(f"{ORIGIN}/api/v2/tickets.json", params={"page[size]": 101})
        assert answer.status_code == 400
        assert answer.json()["error"] == "InvalidPaginationParameter"


class TestDirectory:
    def test_seeded_groups_and_baton_fields(self, zd: Zenpy) -> None:
        names = [g.name for g in zd.groups()]
        assert {"Billing", "Tech Support", "Trust & Safety", "VIP"} <= set(names)
        fields = {f.title: f for f in zd.ticket_fields()}
        assert all(isinstance(f, TicketField) for f in fields.values())
        for spec in TICKET_FIELDS:
            assert fields[str(spec["title"])].type == spec["type"]
        sentiment = fields["Sentiment"].custom_field_options
        assert "sentiment_frustrated" in [o.value for o in sentiment]

    def test_create_organization_group_and_field(self, isolated: SandboxServer) -> None:
        zd = zenpy_for(isolated)
        org = zd.organizations.create(Organization(name="Fresh Co", external_id="org-1"))
        group = zd.groups.create(Group(name="Escalations"))
        field = zd.ticket_fields.create(TicketField(type="text", title="Order number"))
        assert isinstance(org, Organization)
        assert isinstance(group, Group)
        assert isinstance(field, TicketField)
        assert "Fresh Co" in [o.name for o in zd.organizations()]
        assert "Order number" in [f.title for f in zd.ticket_fields()]
        actions = [e.action for e in isolated.state.ledger.entries("zendesk")]
        assert actions == ["organization.create", "group.create", "ticket_field.create"]
        # A new custom field shows up (empty) on tickets created afterwards.
        audit = zd.tickets.create(Ticket(subject="x", comment=Comment(body="y")))
        assert {"id": field.id, "value": None} in audit.ticket.custom_fields

    def test_custom_fields_are_set_by_id(self, isolated: SandboxServer) -> None:
        zd = zenpy_for(isolated)
        ids = {f.title: f.id for f in zd.ticket_fields()}
        ticket = Ticket(
            subject="x",
            comment=Comment(body="y"),
            custom_fields=[{"id": ids["Sentiment"], "value": "sentiment_angry"}],
        )
        created = zd.tickets.create(ticket).ticket
        values = {f["id"]: f["value"] for f in created.custom_fields}
        assert values[ids["Sentiment"]] == "sentiment_angry"
        assert values[ids["Bot intent"]] is None

    def test_user_and_organization_fields_merge_on_update(self, isolated: SandboxServer) -> None:
        zd = zenpy_for(isolated)
        (ana,) = zd.users.search(external_id="customer-ana")
        updated = zd.users.update(User(id=ana.id, user_fields={"crm_tier": "gold"}))
        assert isinstance(updated, User)
        assert updated.user_fields["crm_tier"] == "gold"
        zd.users.update(User(id=ana.id, user_fields={"crm_note": "x"}))
        assert dict(zd.users(id=ana.id).user_fields) == {"crm_tier": "gold", "crm_note": "x"}
        org = zd.organizations.update(
            Organization(id=ana.organization_id, organization_fields={"crm_account": "LF-1"})
        )
        assert isinstance(org, Organization)
        assert org.organization_fields["crm_account"] == "LF-1"
        actions = [e.action for e in isolated.state.ledger.entries("zendesk")]
        assert actions == ["user.update", "user.update", "organization.update"]

    def test_updating_an_unknown_user_is_404(self, isolated: SandboxServer) -> None:
        with pytest.raises(RecordNotFoundException):
            zenpy_for(isolated).users.update(User(id=999_999, user_fields={"a": "b"}))

    def test_user_lookup_by_external_id_of_seeded_customer(self, zd: Zenpy) -> None:
        found = list(zd.users.search(external_id="customer-ana"))
        assert [(u.name, type(u)) for u in found] == [("Ana Tan", User)]
        org = zd.organizations(id=found[0].organization_id)
        assert org.name == "Lumen Foods"


class TestUploads:
    def test_upload_then_attach(self, isolated: SandboxServer, tmp_path: Path) -> None:
        """zenpy given a path sends the whole path as the file name; it is kept as sent."""
        path = tmp_path / "transcript.txt"
        path.write_text("customer: help\nbot: sure", encoding="utf-8")
        zd = zenpy_for(isolated)
        upload = zd.attachments.upload(str(path))
        assert isinstance(upload, Upload)
        assert upload.attachment.file_name == str(path)
        named = zd.attachments.upload(
            str(path), target_name="transcript.txt", content_type="text/plain"
        )
        assert named.attachment.file_name == "transcript.txt"
        assert named.attachment.content_type == "text/plain"
        ticket = Ticket(subject="x", comment=Comment(body="see file", uploads=[named.token]))
        created = zd.tickets.create(ticket).ticket
        comment = next(iter(zd.tickets.comments(ticket=created.id)))
        assert [a.file_name for a in comment.attachments] == ["transcript.txt"]
        content = raw_session(isolated).get(comment.attachments[0].content_url)
        assert content.text == "customer: help\nbot: sure"

    def test_unknown_upload_token_is_invalid(self, isolated: SandboxServer) -> None:
        answer = raw_session(isolated).post(
            f"{ORIGIN}/api/v2/tickets.json",
            json={"ticket": {"subject": "x", "comment": {"body": "y", "uploads": ["nope"]}}},
        )
        assert answer.status_code == 422


class TestSatisfaction:
    def test_rate_and_list_without_json_suffix(self, isolated: SandboxServer) -> None:
        zd = zenpy_for(isolated)
        ticket = zd.tickets.create(Ticket(subject="x", comment=Comment(body="y"))).ticket
        ticket.status = "solved"
        zd.tickets.update(ticket)
        rating = zd.satisfaction_ratings.create(
            ticket, SatisfactionRating(score="bad", comment="slow")
        )
        assert isinstance(rating, SatisfactionRating)
        listed = list(zd.satisfaction_ratings())
        assert [(r.ticket_id, r.score, r.comment) for r in listed] == [(ticket.id, "bad", "slow")]
        assert zd.tickets(id=ticket.id).satisfaction_rating.score == "bad"
        answer = raw_session(isolated).get(f"{ORIGIN}/api/v2/satisfaction_ratings?page[size]=1")
        assert answer.json()["meta"]["has_more"] is False


class TestIncrementalExport:
    def test_cursor_export_skips_the_last_minute_then_resumes(
        self, isolated: SandboxServer
    ) -> None:
        zd = zenpy_for(isolated)
        start = int(isolated.state.clock()) - 120
        first = zd.tickets.create(Ticket(subject="old", comment=Comment(body="y"))).ticket
        isolated.state.clock.advance(61)
        second = zd.tickets.create(Ticket(subject="recent", comment=Comment(body="y"))).ticket
        exported = zd.tickets.incremental(start_time=start)
        assert [t.id for t in exported] == [first.id]
        assert exported.end_of_stream is True
        cursor = exported.after_cursor
        isolated.state.clock.advance(61)
        resumed = zd.tickets.incremental(cursor=cursor)
        assert [t.id for t in resumed] == [second.id]

    def test_pages_follow_after_url(self, isolated: SandboxServer) -> None:
        http = raw_session(isolated)
        start = int(isolated.state.clock()) - 120
        for _ in range(3):
            http.post(
                f"{ORIGIN}/api/v2/tickets.json",
                json={"ticket": {"subject": "s", "comment": {"body": "b"}}},
            )
        isolated.state.clock.advance(61)
        page = http.get(
            f"{ORIGIN}/api/v2/incremental/tickets/cursor.json",
            params={"start_time": start, "per_page": 2},
        ).json()
        assert (len(page["tickets"]), page["end_of_stream"]) == (2, False)
        assert page["after_url"].startswith(f"{ORIGIN}/api/v2/incremental/tickets/cursor.json?")
        rest = http.get(page["after_url"]).json()
        assert (len(rest["tickets"]), rest["end_of_stream"]) == (1, True)

    def test_too_recent_start_time(self, isolated: SandboxServer) -> None:
        answer = raw_session(isolated).get(
            f"{ORIGIN}/api/v2/incremental/tickets/cursor.json",
            params={"start_time": int(isolated.state.clock())},
        )
        assert answer.status_code == 400

    def test_ten_exports_a_minute(self, isolated: SandboxServer) -> None:
        http = raw_session(isolated)
        url = f"{ORIGIN}/api/v2/incremental/tickets/cursor.json"
        params = {"start_time": 0}
        codes = [http.get(url, params=params).status_code for _ in range(11)]
        assert codes == [200] * 10 + [429]
        # The account-wide budget is untouched by the export limit's refusal.
        assert http.get(f"{ORIGIN}/api/v2/users/me.json").status_code == 200


def test_python_style_booleans() -> None:
    assert parse_bool("False") is False
    assert parse_bool("True") is True
    assert parse_bool("false") is False
    assert parse_bool(None, default=True) is True
