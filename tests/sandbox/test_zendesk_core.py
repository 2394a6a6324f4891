"""The Zendesk endpoints Baton's handoff needs, driven through the real zenpy over HTTP."""

from __future__ import annotations

import uuid

import pytest
import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, Ticket, TicketAudit, User
from zenpy.lib.exception import APIException, RecordNotFoundException

from sandbox.server import SandboxServer
from tests.sandbox.conftest import ORIGIN, raw_session, zenpy_for


def _uid() -> str:
    return uuid.uuid4().hex[:10]


def _new_ticket(zd: Zenpy, **fields: object) -> TicketAudit:
    uid = _uid()
    ticket = Ticket(
        subject=f"Card stolen {uid}",
        comment=Comment(body="Someone used my card", public=True),
        requester=User(name="Ana Tan", email="ana.tan@lumenfoods.example"),
        external_id=f"conv-{uid}",
        tags=["baton", "keyword"],
        priority="urgent",
        **fields,
    )
    return zd.tickets.create(ticket)


class TestTickets:
    """Create, show, update and comment on tickets as zenpy does."""

    def test_create_returns_ticket_audit_objects(self, zd: Zenpy, sandbox: SandboxServer) -> None:
        """A create answers 201 with ticket and audit, which zenpy turns into its objects."""
        before = sandbox.state.ledger.count("zendesk", "ticket.create")
        audit = _new_ticket(zd)
        assert isinstance(audit, TicketAudit)
        assert isinstance(audit.ticket, Ticket)
        assert audit.ticket.status == "new"
        assert audit.ticket.via.channel == "api"
        assert audit.ticket.tags == ["baton", "keyword"]
        assert audit.ticket.url == f"{ORIGIN}/api/v2/tickets/{audit.ticket.id}.json"
        event_types = [event["type"] for event in audit.audit.events]
        assert event_types[0] == "Comment"
        assert "Create" in event_types
        assert sandbox.state.ledger.count("zendesk", "ticket.create") == before + 1

    def test_create_sets_location_and_finds_or_creates_the_requester(
        self, http: requests.Session, zd: Zenpy
    ) -> None:
        """The 201 carries Location; a requester given by email is reused, not duplicated."""
        email = f"new-{_uid()}@example.com"
        body = {
            "ticket": {
                "subject": "Hi",
                "comment": {"body": "first"},
                "requester": {"name": "New One", "email": email},
            }
        }
        first = http.post(f"{ORIGIN}/api/v2/tickets.json", json=body)
        second = http.post(f"{ORIGIN}/api/v2/tickets.json", json=body)
        assert first.status_code == 201
        ticket = first.json()["ticket"]
        assert first.headers["Location"] == f"{ORIGIN}/api/v2/tickets/{ticket['id']}.json"
        assert second.json()["ticket"]["requester_id"] == ticket["requester_id"]
        assert [u.id for u in zd.users.search(query=f"email:{email}")] == [ticket["requester_id"]]

    def test_show_returns_the_ticket(self, zd: Zenpy) -> None:
        created = _new_ticket(zd).ticket
        shown = zd.tickets(id=created.id)
        assert isinstance(shown, Ticket)
        assert (shown.id, shown.subject, shown.priority) == (created.id, created.subject, "urgent")
        assert shown.requester.email == "ana.tan@lumenfoods.example"

    def test_show_unknown_ticket_is_record_not_found(self, zd: Zenpy) -> None:
        with pytest.raises(RecordNotFoundException) as caught:
            zd.tickets(id=987_654_321)
        assert caught.value.response.status_code == 404
        assert caught.value.response.json() == {
            "error": "RecordNotFound",
            "description": "Not found",
        }

    def test_update_with_private_comment_adds_an_internal_note(
        self, zd: Zenpy, sandbox: SandboxServer
    ) -> None:
        """A PUT with ``comment.public=false`` adds a note; changed fields are audited."""
        ticket = _new_ticket(zd).ticket
        ledger = sandbox.state.ledger
        notes_before = ledger.count("zendesk", "ticket.comment")
        ticket.comment = Comment(body="Escalated: keyword 'stolen'", public=False)
        ticket.status = "open"
        audit = zd.tickets.update(ticket)
        assert isinstance(audit, TicketAudit)
        assert audit.ticket.status == "open"
        changes = [e for e in audit.audit.events if e["type"] == "Change"]
        assert changes == [
            {
                "id": changes[0]["id"],
                "type": "Change",
                "value": "open",
                "field_name": "status",
                "previous_value": "new",
            }
        ]
        comments = list(zd.tickets.comments(ticket=ticket.id))
        assert all(isinstance(c, Comment) for c in comments)
        assert [(c.body, c.public) for c in comments] == [
            ("Someone used my card", True),
            ("Escalated: keyword 'stolen'", False),
        ]
        assert ledger.count("zendesk", "ticket.comment") == notes_before + 1
        last = ledger.entries("zendesk", "ticket.comment")[-1]
        assert (last.object_id, last.details["public"]) == (str(ticket.id), False)

    def test_comments_page_by_cursor(self, zd: Zenpy, http: requests.Session) -> None:
        """zenpy asks ``page[size]=100`` and follows ``links.next`` across pages."""
        ticket = _new_ticket(zd).ticket
        for n in range(101):
            http.put(
                f"{ORIGIN}/api/v2/tickets/{ticket.id}.json",
                json={"ticket": {"comment": {"body": f"note {n}", "public": False}}},
            ).raise_for_status()
        comments = list(zd.tickets.comments(ticket=ticket.id))
        assert len(comments) == 102
        assert comments[-1].body == "note 100"
        page = http.get(
            f"{ORIGIN}/api/v2/tickets/{ticket.id}/comments.json",
            params={"page[size]": 40, "include_inline_images": "false"},
        ).json()
        assert page["meta"]["has_more"] is True
        assert page["links"]["next"].startswith(f"{ORIGIN}/api/v2/tickets/{ticket.id}/comments")
        second = http.get(page["links"]["next"]).json()
        assert second["comments"][0]["id"] > page["comments"][-1]["id"]

    def test_comments_of_unknown_ticket_are_not_found(self, http: requests.Session) -> None:
        answer = http.get(f"{ORIGIN}/api/v2/tickets/987654321/comments.json")
        assert answer.status_code == 404


class TestUsers:
    def test_create_show_and_search(self, zd: Zenpy, sandbox: SandboxServer) -> None:
        uid = _uid()
        created = zd.users.create(
            User(name="Nina Park", email=f"nina-{uid}@example.com", external_id=f"cust-{uid}")
        )
        assert isinstance(created, User)
        assert isinstance(zd.users(id=created.id), User)
        by_email = list(zd.users.search(query=f"email:nina-{uid}@example.com"))
        by_external = list(zd.users.search(external_id=f"cust-{uid}"))
        assert [u.id for u in by_email] == [u.id for u in by_external] == [created.id]
        assert all(isinstance(u, User) for u in by_email)
        assert list(zd.users.search(query="email:nobody@nowhere.example")) == []
        entry = sandbox.state.ledger.entries("zendesk", "user.create")[-1]
        assert entry.object_id == str(created.id)

    def test_duplicate_email_is_record_invalid(self, zd: Zenpy) -> None:
        email = f"dup-{_uid()}@example.com"
        zd.users.create(User(name="One", email=email))
        with pytest.raises(APIException) as caught:
            zd.users.create(User(name="Two", email=email))
        body = caught.value.response.json()
        assert caught.value.response.status_code == 422
        assert body["error"] == "RecordInvalid"
        assert body["details"]["email"][0]["error"] == "DuplicateValue"

    def test_seeded_customers_are_found_by_email(self, zd: Zenpy) -> None:
        found = list(zd.users.search(query="email:ana.tan@lumenfoods.example"))
        assert [u.name for u in found] == ["Ana Tan"]


class TestAuth:
    """Basic ``{email}/token:{token}`` and Bearer; anything else gets Zendesk's 401."""

    def test_wrong_token_gets_the_real_401(self, sandbox: SandboxServer) -> None:
        bad = zenpy_for(sandbox, token="wrong")
        with pytest.raises(APIException) as caught:
            bad.tickets(id=1)
        response = caught.value.response
        assert response.status_code == 401
        assert response.json() == {"error": "Couldn't authenticate you"}
        assert response.headers["WWW-Authenticate"] == 'Basic realm="Web Password"'

    def test_no_credentials_get_401(self, sandbox: SandboxServer) -> None:
        session = raw_session(sandbox)
        session.auth = None
        assert session.get(f"{ORIGIN}/api/v2/users/me.json").status_code == 401

    def test_unknown_agent_email_gets_401(self, sandbox: SandboxServer) -> None:
        """The token is right but the email is not an agent's (an end user's here)."""
        bad = zenpy_for(sandbox, email="ana.tan@lumenfoods.example")
        with pytest.raises(APIException) as caught:
            bad.users.me()
        assert caught.value.response.status_code == 401

    def test_bearer_token(self, sandbox: SandboxServer) -> None:
        good = zenpy_for(sandbox, oauth_token=sandbox.state.config.zendesk_oauth_token)
        assert good.users.me().email == sandbox.state.config.zendesk_email
        bad = zenpy_for(sandbox, oauth_token="nope")
        with pytest.raises(APIException) as caught:
            bad.users.me()
        assert caught.value.response.status_code == 401
        assert caught.value.response.json()["error"] == "invalid_token"


class TestPaths:
    def test_variants_route_alike(self, http: requests.Session) -> None:
        """``.json`` or not, trailing slash or not: the same endpoint."""
        bodies = [
            http.get(f"{ORIGIN}/api/v2/groups{suffix}").json()["count"]
            for suffix in (".json", "", "/", ".json/")
        ]
        assert len(set(bodies)) == 1
        assert bodies[0] >= 5

    def test_unknown_endpoint(self, http: requests.Session) -> None:
        answer = http.get(f"{ORIGIN}/api/v2/no_such_thing.json")
        assert answer.status_code == 404
        assert answer.json()["error"] == "InvalidEndpoint"
