"""The Zendesk account's data and the operations that change it.

Records are kept in the API's own JSON shape (this module *is* the vendor's side of the
wire), minus ``url``, which depends on the origin the client used and is added when a
record is rendered. Every write is recorded in the ledger.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sandbox.ratelimit import WindowLimiter
from sandbox.state import SandboxState
from sandbox.zendesk.errors import not_found, record_invalid

Record = dict[str, Any]

PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
TYPES = ("problem", "incident", "question", "task")
# Ticket attributes a PUT may change (zenpy sends only the changed ones).
UPDATABLE = (
    "subject",
    "priority",
    "status",
    "type",
    "tags",
    "group_id",
    "assignee_id",
    "organization_id",
    "external_id",
    "due_at",
    "custom_fields",
    "collaborator_ids",
    "brand_id",
    "problem_id",
    "requester_id",
)


# Shared, never mutated: every API-made record carries the same `via` and `metadata`.
# Sharing them keeps the object count per ticket (and the GC's work) down.
VIA_API: Record = {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}}
METADATA: Record = {"system": {"client": "zenpy"}, "custom": {}}


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def html_body(text: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p)
    return f'<div class="zd-comment" dir="auto">{paragraphs.replace(chr(10), "<br>")}</div>'


def normalize_tags(tags: Iterable[Any]) -> list[str]:
    """Zendesk lower-cases tags, turns spaces into underscores and drops duplicates."""
    seen: dict[str, None] = {}
    for tag in tags:
        for part in str(tag).lower().split():
            seen.setdefault(part, None)
    return list(seen)


@dataclass(slots=True)
class IdempotentEntry:
    fingerprint: str
    created_at: float
    status: int
    headers: dict[str, str]
    body: bytes


class ZendeskStore:
    """One Zendesk account: users, organizations, groups, fields, tickets and friends."""

    API = "zendesk"

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        cfg = state.config
        self.limiter = WindowLimiter(cfg.zendesk_rate_limit, 60.0, state.clock)
        self.incremental_limiter = WindowLimiter(
            cfg.zendesk_incremental_per_minute, 60.0, state.clock
        )
        self.reset()

    # --- lifecycle -------------------------------------------------------------------

    def reset(self) -> None:
        with self.state.lock:
            self.users: dict[int, Record] = {}
            self.organizations: dict[int, Record] = {}
            self.groups: dict[int, Record] = {}
            self.ticket_fields: dict[int, Record] = {}
            self.tickets: dict[int, Record] = {}
            self.comments: dict[int, list[Record]] = {}
            self.audits: dict[int, list[Record]] = {}
            self.uploads: dict[str, Record] = {}
            self.attachments: dict[int, Record] = {}
            self.jobs: dict[str, Record] = {}
            self.satisfaction_ratings: dict[int, Record] = {}
            self.idempotency: dict[str, IdempotentEntry] = {}
            # Distinct ranges per kind, like real Zendesk ids (never reused across kinds).
            self._user_ids = itertools.count(361_000_000_001)
            self._org_ids = itertools.count(362_000_000_001)
            self._group_ids = itertools.count(363_000_000_001)
            self._field_ids = itertools.count(364_000_000_001)
            self._ticket_ids = itertools.count(1)
            self._event_ids = itertools.count(365_000_000_001)
            self._attachment_ids = itertools.count(366_000_000_001)
            self._rating_ids = itertools.count(367_000_000_001)
            self._job_ids = itertools.count(1)
            self._by_email: dict[str, int] = {}
            self._upload_tokens = itertools.count(1)
            self.limiter.limit = self.state.config.zendesk_rate_limit
            self.limiter.reset()
            self.incremental_limiter.limit = self.state.config.zendesk_incremental_per_minute
            self.incremental_limiter.reset()
            self.api_user_id = self.create_user(
                {
                    "name": "Baton Integration",
                    "email": self.state.config.zendesk_email,
                    "role": "admin",
                },
                record=False,
            )["id"]
            if self.state.config.seed:
                from sandbox.zendesk.seed import seed

                seed(self)

    def now(self) -> float:
        return self.state.clock()

    def _ledger(self, action: str, object_id: Any, **details: Any) -> None:
        self.state.ledger.record(self.API, action, object_id, **details)

    # --- auth ------------------------------------------------------------------------

    def agent_by_email(self, email: str) -> Record | None:
        user_id = self._by_email.get(email.strip().lower())
        user = self.users.get(user_id) if user_id is not None else None
        if user is None or user["role"] not in ("agent", "admin"):
            return None
        return user

    # --- users -----------------------------------------------------------------------

    def create_user(self, data: Record, record: bool = True) -> Record:
        """Create a user; 422 on a duplicate email, like the real API."""
        name = (data.get("name") or "").strip()
        if not name:
            raise record_invalid("name", "Name: cannot be blank", "BlankValue")
        email = (data.get("email") or "").strip().lower() or None
        if email and email in self._by_email:
            raise record_invalid(
                "email",
                f"Email: {email} is already being used by another user",
                "DuplicateValue",
            )
        role = data.get("role") or "end-user"
        if role not in ("end-user", "agent", "admin"):
            raise record_invalid("role", f"Role: {role} is not valid")
        now = iso(self.now())
        user: Record = {
            "id": next(self._user_ids),
            "name": name,
            "email": email,
            "role": role,
            "external_id": data.get("external_id"),
            "phone": data.get("phone"),
            "organization_id": data.get("organization_id"),
            "default_group_id": data.get("default_group_id"),
            "tags": normalize_tags(data.get("tags") or []),
            "user_fields": dict(data.get("user_fields") or {}),
            "details": data.get("details"),
            "notes": data.get("notes"),
            "time_zone": data.get("time_zone") or "Singapore",
            "iana_time_zone": "Asia/Singapore",
            "locale": data.get("locale") or "en-US",
            "locale_id": 1,
            "verified": bool(data.get("verified", False)),
            "active": True,
            "suspended": False,
            "shared": False,
            "shared_agent": False,
            "moderator": role != "end-user",
            "only_private_comments": False,
            "restricted_agent": False,
            "ticket_restriction": None if role != "end-user" else "requested",
            "two_factor_auth_enabled": False,
            "photo": None,
            "alias": data.get("alias"),
            "signature": None,
            "custom_role_id": None,
            "role_type": None,
            "report_csv": False,
            "result_type": "user",
            "created_at": now,
            "updated_at": now,
            "last_login_at": None,
        }
        with self.state.lock:
            self.users[user["id"]] = user
            if email:
                self._by_email[email] = user["id"]
        if record:
            self._ledger("user.create", user["id"], email=email)
        return user

    def update_user(self, user_id: int, data: Record) -> Record:
        """Change a user; ``user_fields`` merge key by key (the real API does the same)."""
        with self.state.lock:
            user = self.user(user_id)
            changed = _apply_update(user, data, USER_UPDATABLE, "user_fields")
            if changed:
                user["updated_at"] = iso(self.now())
        if changed:
            self._ledger("user.update", user_id, fields=changed)
        return user

    def user(self, user_id: int) -> Record:
        user = self.users.get(user_id)
        if user is None:
            raise not_found()
        return user

    def user_by_email(self, email: str) -> Record | None:
        user_id = self._by_email.get(email.strip().lower())
        return self.users.get(user_id) if user_id is not None else None

    def find_or_create_requester(self, data: Record) -> Record:
        email = (data.get("email") or "").strip().lower()
        if email:
            existing = self.user_by_email(email)
            if existing is not None:
                return existing
        if not data.get("name") and email:
            data = {**data, "name": email.split("@")[0]}
        return self.create_user(
            {
                "name": data.get("name"),
                "email": email or None,
                "locale": data.get("locale"),
                "external_id": data.get("external_id"),
            }
        )

    # --- organizations, groups, ticket fields ----------------------------------------

    def update_organization(self, org_id: int, data: Record) -> Record:
        """Change an organization; ``organization_fields`` merge key by key."""
        with self.state.lock:
            org = self.organizations.get(org_id)
            if org is None:
                raise not_found()
            changed = _apply_update(org, data, ORGANIZATION_UPDATABLE, "organization_fields")
            if changed:
                org["updated_at"] = iso(self.now())
        if changed:
            self._ledger("organization.update", org_id, fields=changed)
        return org

    def create_organization(self, data: Record, record: bool = True) -> Record:
        name = (data.get("name") or "").strip()
        if not name:
            raise record_invalid("name", "Name: cannot be blank", "BlankValue")
        if any(o["name"].lower() == name.lower() for o in self.organizations.values()):
            raise record_invalid("name", "Name: has already been taken", "DuplicateValue")
        now = iso(self.now())
        org: Record = {
            "id": next(self._org_ids),
            "name": name,
            "external_id": data.get("external_id"),
            "domain_names": list(data.get("domain_names") or []),
            "details": data.get("details"),
            "notes": data.get("notes"),
            "group_id": data.get("group_id"),
            "shared_tickets": False,
            "shared_comments": False,
            "tags": normalize_tags(data.get("tags") or []),
            "organization_fields": dict(data.get("organization_fields") or {}),
            "created_at": now,
            "updated_at": now,
        }
        with self.state.lock:
            self.organizations[org["id"]] = org
        if record:
            self._ledger("organization.create", org["id"], name=name)
        return org

    def create_group(self, data: Record, record: bool = True) -> Record:
        name = (data.get("name") or "").strip()
        if not name:
            raise record_invalid("name", "Name: cannot be blank", "BlankValue")
        now = iso(self.now())
        group: Record = {
            "id": next(self._group_ids),
            "name": name,
            "description": data.get("description") or "",
            "default": bool(data.get("default", False)),
            "deleted": False,
            "is_public": True,
            "created_at": now,
            "updated_at": now,
        }
        with self.state.lock:
            self.groups[group["id"]] = group
        if record:
            self._ledger("group.create", group["id"], name=name)
        return group

    def create_ticket_field(self, data: Record, record: bool = True) -> Record:
        title = (data.get("title") or "").strip()
        if not title:
            raise record_invalid("title", "Title: cannot be blank", "BlankValue")
        kind = data.get("type") or "text"
        allowed = (
            "text",
            "textarea",
            "checkbox",
            "date",
            "integer",
            "decimal",
            "regexp",
            "partialcreditcard",
            "multiselect",
            "tagger",
            "lookup",
        )
        if kind not in allowed:
            raise record_invalid("type", f"Type: {kind} is not a valid field type")
        options = []
        for option in data.get("custom_field_options") or []:
            options.append(
                {
                    "id": next(self._field_ids),
                    "name": option["name"],
                    "raw_name": option["name"],
                    "value": option["value"],
                    "default": bool(option.get("default", False)),
                }
            )
        if kind in ("tagger", "multiselect") and not options:
            raise record_invalid(
                "custom_field_options", "Field options: cannot be blank", "BlankValue"
            )
        now = iso(self.now())
        field: Record = {
            "id": next(self._field_ids),
            "type": kind,
            "title": title,
            "raw_title": title,
            "description": data.get("description") or "",
            "raw_description": data.get("description") or "",
            "position": data.get("position", 9999),
            "active": bool(data.get("active", True)),
            "required": bool(data.get("required", False)),
            "collapsed_for_agents": False,
            "regexp_for_validation": data.get("regexp_for_validation"),
            "title_in_portal": data.get("title_in_portal") or title,
            "raw_title_in_portal": data.get("title_in_portal") or title,
            "visible_in_portal": bool(data.get("visible_in_portal", False)),
            "editable_in_portal": bool(data.get("editable_in_portal", False)),
            "required_in_portal": False,
            "tag": data.get("tag"),
            "removable": bool(data.get("removable", True)),
            "key": data.get("key"),
            "agent_description": data.get("agent_description"),
            "custom_field_options": options or None,
            "created_at": now,
            "updated_at": now,
        }
        if not field["custom_field_options"]:
            del field["custom_field_options"]
        with self.state.lock:
            self.ticket_fields[field["id"]] = field
        if record:
            self._ledger("ticket_field.create", field["id"], title=title)
        return field

    def custom_field_ids(self) -> list[int]:
        return [f["id"] for f in self.ticket_fields.values() if f.get("removable", True)]

    # --- tickets ---------------------------------------------------------------------

    def ticket(self, ticket_id: int) -> Record:
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            raise not_found()
        return ticket

    def _check_refs(self, data: Record) -> None:
        if data.get("group_id") is not None and data["group_id"] not in self.groups:
            raise record_invalid("group_id", "Group: is invalid")
        if data.get("assignee_id") is not None:
            assignee = self.users.get(data["assignee_id"])
            if assignee is None or assignee["role"] == "end-user":
                raise record_invalid("assignee_id", "Assignee: is invalid")
        if data.get("organization_id") is not None and (
            data["organization_id"] not in self.organizations
        ):
            raise record_invalid("organization_id", "Organization: is invalid")
        if data.get("priority") not in (None, *PRIORITIES):
            raise record_invalid("priority", f"Priority: {data['priority']} is not valid")
        if data.get("status") not in (None, *STATUSES):
            raise record_invalid("status", f"Status: {data['status']} is not valid")
        if data.get("type") not in (None, *TYPES):
            raise record_invalid("type", f"Type: {data['type']} is not valid")

    def _custom_fields(self, given: Iterable[Record], current: list[Record]) -> list[Record]:
        values = {f["id"]: f["value"] for f in current}
        for item in given:
            if isinstance(item, dict) and item.get("id") in values:
                values[item["id"]] = item.get("value")  # unknown ids are ignored, as on Zendesk
        return [{"id": field_id, "value": value} for field_id, value in values.items()]

    def _comment(
        self, ticket_id: int, data: Record, author_id: int, audit_id: int, public: bool
    ) -> Record:
        text = data.get("body")
        rich = data.get("html_body")
        if text is None and rich is not None:
            text = html.unescape(
                rich.replace("<br>", "\n").replace("</p>", "\n\n").replace("<p>", "")
            ).strip()
        text = text or ""
        attachments = [self._claim_upload(token) for token in data.get("uploads") or []]
        comment: Record = {
            "id": next(self._event_ids),
            "type": "Comment",
            "author_id": data.get("author_id") or author_id,
            "body": text,
            "html_body": rich or html_body(text),
            "plain_body": text,
            "public": public,
            "attachments": attachments,
            "audit_id": audit_id,
            "via": VIA_API,
            "created_at": iso(self.now()),
            "metadata": METADATA,
        }
        with self.state.lock:
            self.comments.setdefault(ticket_id, []).append(comment)
        return comment

    def _claim_upload(self, token: str) -> Record:
        upload = self.uploads.get(token)
        if upload is None:
            raise record_invalid("uploads", f"Uploads: {token} is not a valid upload token")
        return upload["attachment"]

    def create_ticket(self, data: Record, actor_id: int) -> tuple[Record, Record]:
        """Create a ticket; returns ``(ticket, audit)``."""
        self._check_refs(data)
        comment_data = data.get("comment") or {}
        if isinstance(comment_data, str):
            comment_data = {"body": comment_data}
        if not (comment_data.get("body") or comment_data.get("html_body")):
            description = data.get("description")
            if not description:
                raise record_invalid("description", "Description: cannot be blank", "BlankValue")
            comment_data = {**comment_data, "body": description}
        if data.get("requester_id") is not None:
            requester = self.users.get(data["requester_id"])
            if requester is None:
                raise record_invalid("requester", "Requester: is invalid")
        elif isinstance(data.get("requester"), dict):
            requester = self.find_or_create_requester(data["requester"])
        else:
            requester = self.user(actor_id)
        ticket_id = next(self._ticket_ids)
        audit_id = next(self._event_ids)
        public = bool(comment_data.get("public", True))
        submitter_id = data.get("submitter_id") or actor_id
        comment = self._comment(ticket_id, comment_data, submitter_id, audit_id, public)
        now = iso(self.now())
        status = data.get("status") or ("open" if data.get("assignee_id") else "new")
        subject = data.get("subject") or comment["body"][:80]
        default_group = next((g["id"] for g in self.groups.values() if g["default"]), None)
        ticket: Record = {
            "id": ticket_id,
            "external_id": data.get("external_id"),
            "via": VIA_API,
            "created_at": now,
            "updated_at": now,
            "generated_timestamp": int(self.now()),
            "type": data.get("type"),
            "subject": subject,
            "raw_subject": subject,
            "description": comment["body"],
            "priority": data.get("priority"),
            "status": status,
            "recipient": None,
            "requester_id": requester["id"],
            "submitter_id": submitter_id,
            "assignee_id": data.get("assignee_id"),
            "organization_id": data.get("organization_id") or requester.get("organization_id"),
            "group_id": data.get("group_id") or default_group,
            "collaborator_ids": list(data.get("collaborator_ids") or []),
            "follower_ids": [],
            "email_cc_ids": [],
            "forum_topic_id": None,
            "problem_id": data.get("problem_id"),
            "has_incidents": False,
            "is_public": public,
            "due_at": data.get("due_at"),
            "tags": normalize_tags(data.get("tags") or []),
            "custom_fields": [],
            "satisfaction_rating": None,
            "sharing_agreement_ids": [],
            "custom_status_id": None,
            "followup_ids": [],
            "ticket_form_id": data.get("ticket_form_id"),
            "brand_id": data.get("brand_id"),
            "allow_channelback": False,
            "allow_attachments": True,
            "from_messaging_channel": False,
        }
        initial = [{"id": fid, "value": None} for fid in self.custom_field_ids()]
        ticket["custom_fields"] = self._custom_fields(data.get("custom_fields") or [], initial)
        events: list[Record] = [comment]
        for name in (
            "subject",
            "status",
            "priority",
            "type",
            "requester_id",
            "group_id",
            "assignee_id",
            "tags",
        ):
            value = ticket[name]
            if value not in (None, []):
                events.append(
                    {
                        "id": next(self._event_ids),
                        "type": "Create",
                        "value": value,
                        "field_name": name,
                    }
                )
        audit = self._audit(ticket_id, audit_id, actor_id, events)
        with self.state.lock:
            self.tickets[ticket_id] = ticket
        self._ledger(
            "ticket.create",
            ticket_id,
            external_id=ticket["external_id"],
            requester_id=ticket["requester_id"],
            public=public,
        )
        return ticket, audit

    def _audit(self, ticket_id: int, audit_id: int, author_id: int, events: list[Record]) -> Record:
        audit: Record = {
            "id": audit_id,
            "ticket_id": ticket_id,
            "created_at": iso(self.now()),
            "author_id": author_id,
            "metadata": METADATA,
            "via": VIA_API,
            "events": events,
        }
        with self.state.lock:
            self.audits.setdefault(ticket_id, []).append(audit)
        return audit

    def update_ticket(self, ticket_id: int, data: Record, actor_id: int) -> tuple[Record, Record]:
        """Apply a PUT: changed attributes and an optional comment. Returns ``(ticket, audit)``."""
        ticket = self.ticket(ticket_id)
        if ticket["status"] == "closed":
            raise record_invalid("status", "Status: closed prevents ticket update", "ClosedTicket")
        self._check_refs(data)
        audit_id = next(self._event_ids)
        events: list[Record] = []
        changed: list[str] = []
        comment_data = data.get("comment")
        if isinstance(comment_data, str):
            comment_data = {"body": comment_data}
        comment = None
        if comment_data and (comment_data.get("body") or comment_data.get("html_body")):
            public = bool(comment_data.get("public", True))
            comment = self._comment(ticket_id, comment_data, actor_id, audit_id, public)
            events.append(comment)
        for name in UPDATABLE:
            if name not in data:
                continue
            value = data[name]
            if name == "tags":
                value = normalize_tags(value or [])
            elif name == "custom_fields":
                value = self._custom_fields(value or [], ticket["custom_fields"])
            if value == ticket.get(name):
                continue
            if name == "custom_fields":
                before = {f["id"]: f["value"] for f in ticket["custom_fields"]}
                for field in value:
                    if before.get(field["id"]) != field["value"]:
                        events.append(
                            {
                                "id": next(self._event_ids),
                                "type": "Change",
                                "value": field["value"],
                                "field_name": str(field["id"]),
                                "previous_value": before.get(field["id"]),
                            }
                        )
            else:
                events.append(
                    {
                        "id": next(self._event_ids),
                        "type": "Change",
                        "value": value,
                        "field_name": name,
                        "previous_value": ticket.get(name),
                    }
                )
            changed.append(name)
            ticket[name] = value
            if name == "subject":
                ticket["raw_subject"] = value
        if changed or comment is not None:
            ticket["updated_at"] = iso(self.now())
            ticket["generated_timestamp"] = int(self.now())
        audit = self._audit(ticket_id, audit_id, actor_id, events)
        if changed:
            self._ledger("ticket.update", ticket_id, fields=changed)
        if comment is not None:
            self._ledger(
                "ticket.comment", ticket_id, comment_id=comment["id"], public=comment["public"]
            )
        return ticket, audit

    # --- idempotency -----------------------------------------------------------------

    def idempotent_lookup(self, key: str, fingerprint: str) -> IdempotentEntry | bool | None:
        """The stored answer for ``key`` (hit), None (miss), or False (different body)."""
        entry = self.idempotency.get(key)
        if entry is None:
            return None
        if self.now() - entry.created_at >= self.state.config.idempotency_window_seconds:
            del self.idempotency[key]
            return None
        if entry.fingerprint != fingerprint:
            return False
        return entry

    def idempotent_store(
        self, key: str, fingerprint: str, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        with self.state.lock:
            self.idempotency[key] = IdempotentEntry(fingerprint, self.now(), status, headers, body)

    # --- misc ------------------------------------------------------------------------

    def next_job_id(self) -> str:
        return hashlib.md5(f"job-{next(self._job_ids)}".encode(), usedforsecurity=False).hexdigest()

    def next_attachment_id(self) -> int:
        return next(self._attachment_ids)

    def next_rating_id(self) -> int:
        return next(self._rating_ids)

    def next_upload_token(self) -> str:
        seq = next(self._upload_tokens)
        return hashlib.sha1(f"upload-{seq}".encode(), usedforsecurity=False).hexdigest()[:25]


USER_UPDATABLE = ("name", "phone", "external_id", "organization_id", "details", "notes", "tags")
ORGANIZATION_UPDATABLE = ("name", "external_id", "details", "notes", "group_id", "tags")


def _apply_update(record: Record, data: Record, updatable: Iterable[str], fields: str) -> list[str]:
    """Set the updatable keys ``data`` carries and merge its custom ``fields``; what changed."""
    changed = []
    for name in updatable:
        if name in data and data[name] != record.get(name):
            record[name] = normalize_tags(data[name] or []) if name == "tags" else data[name]
            changed.append(name)
    given = data.get(fields)
    if isinstance(given, dict):
        merged = {**record[fields], **given}
        if merged != record[fields]:
            record[fields] = merged
            changed.append(fields)
    return changed
