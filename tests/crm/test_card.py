"""From a CRM record to the card, Zendesk values and rule fields: pure, no CRM involved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.crm.card import CardResult, build_enrichment, freshness
from core.crm.mapping import CrmMapping, Transform
from core.crm.model import Ambiguous, CrmRecord, Matched, NoMatch
from core.crm.transforms import apply, tag_of

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def salesforce_record() -> CrmRecord:
    return CrmRecord(
        source="salesforce",
        record_id="003XYZ",
        url="https://acme.lightning.force.com/lightning/r/Contact/003XYZ/view",
        values={
            "Name": "Maria Santos",
            "Account.Name": "Bayanihan Logistics",
            "Account.Tier__c": "Platinum",
            "Account.ARR__c": 18995200.0,
            "Account.CurrencyIsoCode": "PHP",
            "Account.Renewal_Date__c": "2027-06-12",
            "Account.Owner.Name": "Marcus Wong",
            "Account.Customer_Since__c": "2020-08-15",
            "Account.Health_Score__c": 92.0,
            "Identity_Verified__c": True,
            "Id": "003XYZ",
            "Account.Credit_Limit__c": 4748800.0,
            "Account.Payment_Status__c": "Overdue",
        },
        lists={
            "open_cases": (
                {
                    "CaseNumber": "00001003",
                    "Subject": "Invoice charged twice",
                    "Status": "Escalated",
                    "Priority": "High",
                    "Type": "Dispute",
                },
                {
                    "CaseNumber": "00001004",
                    "Subject": "API returns 502",
                    "Status": "New",
                    "Priority": "Medium",
                    "Type": "Problem",
                },
            ),
            "open_opportunities": (),
        },
    )


class TestTransforms:
    """Raw CRM values in both CRMs' shapes become Baton values and card text."""

    def test_dates_from_either_crm(self) -> None:
        transform = Transform(type="date", format="%d %b %Y")
        for raw in ("2027-06-12", "2027-06-12T00:00:00.000+0000", "1812758400000"):
            value = apply(transform, raw)
            assert value is not None
            assert (value.value, value.display) == ("2027-06-12", "12 Jun 2027")

    def test_currency_from_a_field_or_fixed(self) -> None:
        value = apply(Transform(type="currency"), "120000", currency="SGD")
        assert value is not None
        assert (value.value, value.display) == (120000.0, "SGD 120,000")
        fixed = apply(Transform(type="currency", currency="USD", decimals=2), 99.5)
        assert fixed is not None
        assert fixed.display == "USD 99.50"

    def test_enumerations_map_case_insensitively_and_drop_unknown_values(self) -> None:
        transform = Transform(type="enum", values={"Gold": "gold"}, labels={"gold": "Gold ★"})
        value = apply(transform, "GOLD")
        assert value is not None
        assert (value.value, value.display) == ("gold", "Gold ★")
        assert apply(transform, "Tin") is None

    def test_booleans_from_strings_and_json(self) -> None:
        transform = Transform(type="boolean", true_label="verified")
        assert apply(transform, "true") is not None
        assert apply(transform, True).display == "verified"  # type: ignore[union-attr]
        assert apply(transform, "false").value is False  # type: ignore[union-attr]

    @pytest.mark.parametrize("raw", [None, "", "   "])
    def test_missing_values_are_left_out(self, raw: object) -> None:
        assert apply(Transform(type="text"), raw) is None

    def test_tags_have_no_spaces_and_are_lower_case(self) -> None:
        assert tag_of("tier_{value}", "Gold Plus") == "tier_gold_plus"


class TestCard:
    """A matched record becomes a card, Zendesk values and business-rule fields."""

    def test_card_lines_title_and_lists(self, mapping: CrmMapping) -> None:
        e = build_enrichment(mapping, Matched(salesforce_record(), "email"))
        assert e.status == "matched"
        assert e.card is not None
        assert e.card.title == "Maria Santos · Bayanihan Logistics"
        lines = {line.name: line.display for line in e.card.lines}
        assert lines["tier"] == "Platinum"
        assert lines["arr"] == "PHP 18,995,200"
        assert lines["renewal_date"] == "12 Jun 2027"
        assert lines["open_disputes"] == "1"
        cases = next(s for s in e.card.sections if s.name == "open_cases")
        assert cases.rows[0] == "00001003 Invoice charged twice — Escalated, High (Dispute)"

    def test_zendesk_values_and_tags(self, mapping: CrmMapping) -> None:
        e = build_enrichment(mapping, Matched(salesforce_record(), "email"))
        fields = dict(e.zendesk.custom_fields)
        assert fields[364000000038] == "platinum"
        assert fields[364000000039] == "18995200"
        assert fields[364000000040] == "2027-06-12"
        assert {
            "baton_crm_matched",
            "baton_crm_salesforce",
            "tier_platinum",
            "crm_open_disputes_1",
        } <= set(e.zendesk.tags)
        assert dict(e.zendesk.organization_fields) == {"crm_account_name": "Bayanihan Logistics"}

    def test_rule_fields_are_flat_and_include_sensitive_ones(self, mapping: CrmMapping) -> None:
        e = build_enrichment(mapping, Matched(salesforce_record(), "email"))
        assert e.rules["tier"] == "platinum"
        assert e.rules["open_disputes"] == 1
        assert e.rules["credit_limit"] == 4748800
        assert e.rules["payment_status"] == "overdue"
        assert e.rules["crm_source"] == "salesforce"

    def test_sensitive_values_never_reach_the_card_or_zendesk(self, mapping: CrmMapping) -> None:
        e = build_enrichment(mapping, Matched(salesforce_record(), "email"))
        result = CardResult("ready", e, NOW)
        outbound = " ".join(
            [
                result.note_html(NOW),
                result.note_text(NOW),
                " ".join(result.tags),
                repr(result.custom_fields),
                repr(e.zendesk),
            ]
        ).lower()
        for secret in ("4748800", "4,748,800", "overdue", "credit"):
            assert secret not in outbound

    def test_defaults_fill_missing_values(self, mapping: CrmMapping) -> None:
        raw = salesforce_record()
        values = {k: v for k, v in raw.values.items() if k != "Account.Tier__c"}
        e = build_enrichment(mapping, Matched(CrmRecord("salesforce", "1", values), "email"))
        assert e.rules["tier"] == "bronze"  # the mapping's default

    def test_no_match_and_ambiguous_carry_no_card_but_say_why(self, mapping: CrmMapping) -> None:
        none = build_enrichment(mapping, NoMatch("", ("email", "phone")))
        assert none.card is None
        assert "tried email, phone" in none.detail
        assert "baton_crm_no_match" in none.zendesk.tags
        twins = (CrmRecord("salesforce", "A", {}, url="u/A"), CrmRecord("salesforce", "B", {}))
        amb = build_enrichment(mapping, Ambiguous("salesforce", "email", twins))
        assert amb.card is None
        assert amb.candidates == (("A", "u/A"), ("B", None))
        assert "2 Salesforce records" in amb.detail
        assert 'href="u/A"' in CardResult("ready", amb, NOW).note_html(NOW)


class TestFreshness:
    """The card says how old it is."""

    def test_minutes_and_hours(self) -> None:
        assert freshness(NOW - timedelta(minutes=3), NOW).startswith("fetched 3 min ago")
        assert freshness(NOW - timedelta(hours=2), NOW).startswith("fetched 2 h ago")
        assert "(2026-11-29 07:00 UTC)" in freshness(NOW - timedelta(hours=3), NOW)

    def test_stale_and_pending_cards_say_so(self, mapping: CrmMapping) -> None:
        e = build_enrichment(mapping, Matched(salesforce_record(), "email"))
        stale = CardResult("ready", e, NOW - timedelta(hours=2), stale=True)
        assert "stale" in stale.note_html(NOW)
        pending = CardResult("pending", reason="the CRM did not answer within 2 s")
        assert "not available yet" in pending.note_html(NOW)
        assert pending.tags == ("baton_crm_pending",)
        assert pending.rules == {}
        failed = CardResult("failed", reason="Salesforce 401 INVALID_SESSION_ID")
        assert failed.tags == ("baton_crm_unavailable",)
        assert "INVALID_SESSION_ID" in failed.note_html(NOW)


class TestLateCard:
    """A ticket created with a pending card gets the card as an update."""

    def test_the_update_swaps_the_pending_tag_and_sets_the_fields(
        self, mapping: CrmMapping
    ) -> None:
        from core.crm.card import late_card_update

        e = build_enrichment(mapping, Matched(salesforce_record(), "email"))
        update = late_card_update(CardResult("ready", e, NOW), NOW + timedelta(seconds=30))
        assert update.remove_tags == ("baton_crm_pending",)
        assert "tier_platinum" in update.add_tags
        assert (364000000038, "platinum") in update.custom_fields
        assert "The CRM answered after the ticket was created" in update.note_html
        assert "Account card — Salesforce" in update.note_html
        failed = late_card_update(CardResult("failed", reason="Salesforce 401"), NOW)
        assert failed.add_tags == ("baton_crm_unavailable",)
        assert failed.custom_fields == ()
