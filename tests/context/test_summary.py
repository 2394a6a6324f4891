"""The offline summary is chronological and deterministic; the opening line acknowledges
what the customer already went through."""

from __future__ import annotations

from core.context.opening import first_name, opening_line
from core.context.summary import OfflineSummarizer, Summary, SummaryItem, summary_request
from core.context.trajectory import Direction, Trend
from tests.context.helpers import decision, hit, snapshot


def summarize(snap, dec):  # type: ignore[no-untyped-def]
    turns = [(t.role, t.text, t.occurred_at, t.message_id) for t in snap.turns]
    return OfflineSummarizer().summarize(summary_request(turns, dec))


PARCEL = snapshot(
    ("customer", "Hi, my parcel never arrived"),
    ("bot", "I'm sorry to hear that! Your order was delivered on 24 Nov. Anything else?"),
    ("customer", "ok"),
    ("customer", "the tracking says delivered but I got nothing"),
    ("bot", "Sorry, I didn't understand that. Could you rephrase?"),
    ("customer", "my parcel never arrived!!"),
    ("bot", "Parcels are sometimes left with a neighbour. Could you check there?"),
    ("customer", "I want to talk to a human"),
)
PARCEL_DECISION = decision(hit("customer_request", "talk to a human", "m8"))


class TestOfflineSummary:
    def test_problem_statements_in_order_without_greetings_or_acknowledgements(self) -> None:
        summary = summarize(PARCEL, PARCEL_DECISION)
        texts = [p.text for p in summary.problems]
        assert texts[0] == "My parcel never arrived"
        assert "the tracking says delivered but I got nothing" in texts
        assert "ok" not in texts
        assert [p.at for p in summary.problems] == sorted(p.at for p in summary.problems)

    def test_a_repeated_statement_is_merged_and_counted(self) -> None:
        summary = summarize(PARCEL, PARCEL_DECISION)
        assert summary.problems[0].times == 2
        assert "said 2 times" in summary.headline

    def test_what_the_bot_tried_skips_pleasantries_and_counts_misunderstandings(self) -> None:
        tried = [i.text for i in summarize(PARCEL, PARCEL_DECISION).bot_tried]
        assert tried[0] == "Your order was delivered on 24 Nov."
        assert "Parcels are sometimes left with a neighbour." in tried
        assert "The bot did not understand the customer once." in tried

    def test_the_human_request_is_open_not_a_problem_statement(self) -> None:
        summary = summarize(PARCEL, PARCEL_DECISION)
        assert all("talk to a human" not in p.text for p in summary.problems)
        assert any(
            s.startswith("The customer asked for a human (10:08)") for s in summary.still_open
        )

    def test_an_unanswered_last_question_is_open(self) -> None:
        snap = snapshot(
            ("customer", "My invoice is wrong"),
            ("bot", "Here is your invoice."),
            ("customer", "why was I charged twice for November?"),
        )
        summary = summarize(snap, decision(hit("keyword", "charged twice", "m3")))
        assert summary.still_open[:2] == (
            "Unresolved: My invoice is wrong",
            "Latest: why was I charged twice for November?",
        )

    def test_deterministic(self) -> None:
        assert summarize(PARCEL, PARCEL_DECISION) == summarize(PARCEL, PARCEL_DECISION)

    def test_a_conversation_without_a_problem_says_so(self) -> None:
        summary = summarize(snapshot(("customer", "hi")), decision())
        assert summary.headline == "The customer has not described a problem yet."
        assert summary.problems == ()

    def test_long_statements_are_capped(self) -> None:
        snap = snapshot(("customer", "my order is late " * 40))
        item = summarize(snap, decision()).problems[0]
        assert len(item.text) <= 220
        assert item.text.endswith("…")


def _trend(last: float | None = None) -> Trend:
    return Trend(Direction.RISING if last else Direction.UNKNOWN, 0.1, last, last, 3)


class TestOpeningLine:
    def line(self, **kw):  # type: ignore[no-untyped-def]
        args = dict(
            customer_name="Ana Tan",
            decision=PARCEL_DECISION,
            summary=summarize(PARCEL, PARCEL_DECISION),
            trend=_trend(),
            customer_texts=("my parcel never arrived",),
            intent="order_status",
        )
        args.update(kw)
        return opening_line(**args)

    def test_greets_by_first_name_and_promises_no_repetition(self) -> None:
        line = self.line()
        assert line.startswith("Hi Ana,")
        assert "you won't need to repeat anything" in line

    def test_acknowledges_repetition_and_what_the_bot_tried(self) -> None:
        line = self.line()
        assert "I'm sorry you had to explain this twice." in line
        assert "what our assistant already tried" in line
        assert "about “My parcel never arrived”" in line

    def test_acknowledges_details_the_customer_already_gave(self) -> None:
        line = self.line(customer_texts=("order 88123456 never came",))
        assert "the details you already gave" in line

    def test_topic_openers(self) -> None:
        security = decision(
            hit("always_human_topic", "someone logged in", topic="security_incident")
        )
        assert "securing it is my first priority" in self.line(decision=security)
        loss = decision(hit("always_human_topic", "my father passed away", topic="bereavement"))
        assert "sorry for your loss" in self.line(decision=loss)

    def test_high_frustration_without_a_topic_gets_an_apology(self) -> None:
        single = Summary(headline="x", problems=(SummaryItem("card declined"),))
        line = self.line(summary=single, trend=_trend(0.8), decision=decision(hit("sentiment")))
        assert "I'm sorry this has been so frustrating." in line

    def test_without_a_usable_name(self) -> None:
        assert self.line(customer_name=None).startswith("Hi,")
        assert first_name("ana@example.com") is None
        assert first_name("  Siti Nurhaliza ") == "Siti"

    def test_falls_back_to_the_intent_when_the_statement_is_long(self) -> None:
        long = Summary(headline="x", problems=(SummaryItem("word " * 30),))
        assert "about your order status" in self.line(summary=long)
