"""Ticket fields come from the decision, the bot's intent, the scores and configuration:
priority, group routing, tags and custom fields."""

from __future__ import annotations

from core.context.fields import primary_trigger, routing_problems
from core.context.model import (
    AccountCard,
    CardStatus,
    FieldTitles,
    RoutingRules,
    ZendeskDirectory,
)
from core.decision import Category, Priority
from core.handoff import build_handoff_draft
from tests.context.helpers import context, decision, hit, snapshot

DIRECTORY = ZendeskDirectory(
    fields={
        "Bot intent": 11,
        "Sentiment": 12,
        "Escalation reason": 13,
        "Escalation category": 14,
        "Conversation ID": 15,
    },
    groups={"Support": 1, "Billing": 2, "Trust & Safety": 3, "VIP": 4, "Complex": 5},
)
ROUTING = RoutingRules(
    default_group="Support",
    groups_by_topic={"security_incident": "Trust & Safety", "vip": "VIP"},
    groups_by_intent={"refund*": "Billing", "billing_*": "Billing"},
    groups_by_category={Category.B: "Complex"},
    tags=("From Chat",),
)
SNAP = snapshot(
    ("customer", "I was charged twice", "billing_dispute", 0.62),
    ("customer", "get me a person", "human_handoff", 0.97),
)


def draft(dec, snap=SNAP, scores=(0.2, 0.7), **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("routing", ROUTING)
    kw.setdefault("directory", DIRECTORY)
    return build_handoff_draft(context(snap, dec, scores=scores, **kw))


class TestPriorityAndGroup:
    def test_priority_is_the_decisions(self) -> None:
        assert draft(decision(hit("keyword"), priority=Priority.URGENT)).priority == "urgent"

    def test_topic_routes_first(self) -> None:
        dec = decision(
            hit("customer_request", "person"),
            hit("always_human_topic", "hacked", topic="security_incident"),
            category=Category.A,
        )
        assert draft(dec).group_id == 3

    def test_then_the_topical_intent_past_handoff_intents(self) -> None:
        """The last message's intent is "human_handoff": routing looks past it."""
        assert draft(decision(hit("customer_request", "person"))).group_id == 2

    def test_then_the_category(self) -> None:
        snap = snapshot(("customer", "it is complicated", "other", 0.5))
        dec = decision(hit("preferred_human_topic", "x", topic="complex"), category=Category.B)
        assert draft(dec, snap=snap, scores=()).group_id == 5

    def test_then_the_default(self) -> None:
        snap = snapshot(("customer", "hello there", "greeting", 0.9))
        assert draft(decision(hit("keyword")), snap=snap, scores=()).group_id == 1

    def test_an_unknown_group_leaves_the_group_unset_and_warns(self) -> None:
        routing = RoutingRules(default_group="Nowhere")
        result = draft(decision(hit("keyword")), routing=routing)
        assert result.group_id is None
        assert "no Zendesk group named 'Nowhere'" in result.warnings

    def test_no_routing_configured_sets_no_group(self) -> None:
        result = draft(decision(hit("keyword")), routing=RoutingRules())
        assert result.group_id is None
        assert result.warnings == ()


class TestTags:
    def test_trigger_topic_category_sentiment_crm_and_configured_tags(self) -> None:
        dec = decision(
            hit("always_human_topic", "x", topic="vip"), hit("loop", "y"), category=Category.A
        )
        tags = draft(dec, card=AccountCard(CardStatus.PENDING)).tags
        assert tags[0] == "baton"
        for expected in (
            "baton_category_a",
            "baton_always_human_topic",
            "baton_topic_vip",
            "baton_loop",
            "baton_sentiment_frustrated",
            "baton_frustration_rising",
            "baton_crm_pending",
            "from_chat",
        ):
            assert expected in tags
        assert len(tags) == len(set(tags))

    def test_no_scores_no_sentiment_tags(self) -> None:
        tags = draft(decision(hit("keyword")), scores=()).tags
        assert not any(t.startswith(("baton_sentiment", "baton_frustration")) for t in tags)


class TestCustomFields:
    def test_intent_sentiment_reason_category_and_conversation(self) -> None:
        dec = decision(hit("low_confidence"), hit("customer_request", "person"))
        assert dict(draft(dec).custom_fields) == {
            11: "billing_dispute (0.62)",
            12: "sentiment_frustrated",
            13: "escalation_customer_request",
            14: "category_c",
            15: "conv_1",
        }

    def test_the_reason_is_the_most_telling_trigger(self) -> None:
        dec = decision(
            hit("low_confidence"),
            hit("customer_request"),
            hit("always_human_topic", topic="complaint"),
        )
        primary = primary_trigger(dec)
        assert primary is not None
        assert primary.name == "always_human_topic"

    def test_a_field_left_out_in_configuration_is_not_sent(self) -> None:
        routing = ROUTING.model_copy(update={"fields": FieldTitles(intent=None, sentiment=None)})
        fields = dict(draft(decision(hit("keyword")), routing=routing).custom_fields)
        assert 11 not in fields
        assert 12 not in fields
        assert fields[13] == "escalation_keyword"

    def test_a_field_zendesk_does_not_have_is_skipped_with_a_warning(self) -> None:
        directory = ZendeskDirectory(fields={"Sentiment": 12}, groups=DIRECTORY.groups)
        result = draft(decision(hit("keyword")), directory=directory)
        assert dict(result.custom_fields) == {12: "sentiment_frustrated"}
        assert "no Zendesk ticket field titled 'Bot intent'" in result.warnings


def test_routing_problems_name_each_unknown_group_and_field() -> None:
    rules = ROUTING.model_copy(update={"groups_by_intent": {"x*": "Sales"}})
    directory = ZendeskDirectory(fields={"Bot intent": 1}, groups={"Support": 1})
    problems = routing_problems(rules, directory)
    assert "routing: no Zendesk group named 'Sales'" in problems
    assert "routing: no Zendesk group named 'VIP'" in problems
    assert "routing.fields.sentiment: no Zendesk ticket field titled 'Sentiment'" in problems
    assert not any("'Bot intent'" in p for p in problems)
