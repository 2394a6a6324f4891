"""Card numbers and configured secrets are masked before anything is stored; near-misses
(order numbers, phone numbers, dates, other digit runs) are kept as the customer typed them."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from core.context.masking import (
    MASK,
    MaskingRules,
    MaskPattern,
    luhn_valid,
    mask_json,
    mask_message,
    mask_text,
    mask_transcript,
)


def with_check_digit(body: str) -> str:
    """``body`` plus the digit that makes it Luhn-valid."""
    for d in "0123456789":
        if luhn_valid(body + d):
            return body + d
    raise AssertionError("unreachable")


VISA_19 = with_check_digit("411111111111111111")
assert len(VISA_19) == 19


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


class TestCardFormats:
    """A Luhn-valid card number is masked to its last four in every common way of writing it."""

    @pytest.mark.parametrize(
        ("text", "last4"),
        [
            ("4111111111111111", "1111"),
            ("my card is 4111 1111 1111 1111 thanks", "1111"),
            ("card: 4111-1111-1111-1111.", "1111"),
            ("5555 5555 5555 4444", "4444"),
            ("2223 0031 2200 3222", "3222"),
            ("amex 3782 822463 10005", "0005"),
            ("amex 378282246310005", "0005"),
            ("diners 3056 930902 5904", "5904"),
            ("discover 6011-1111-1111-1117", "1117"),
            ("old visa 4222 2222 2222 2", "2222"),
            (
                f"unionpay {VISA_19[:4]} {VISA_19[4:8]} {VISA_19[8:12]} {VISA_19[12:16]} "
                f"{VISA_19[16:]}",
                VISA_19[-4:],
            ),
            (f"long {VISA_19}", VISA_19[-4:]),
            ("4111\u00a01111\u00a01111\u00a01111", "1111"),
            ("(4111111111111111)", "1111"),
        ],
    )
    def test_masked_to_last_four(self, text: str, last4: str) -> None:
        masked = mask_text(text)
        assert digits(masked) == last4, masked
        assert MASK in masked

    def test_separators_and_surrounding_text_are_kept(self) -> None:
        assert mask_text("pay with 4111-1111-1111-1111 now") == "pay with ••••-••••-••••-1111 now"
        assert mask_text("4111 1111 1111 1111") == "•••• •••• •••• 1111"

    def test_full_width_digits_are_masked(self) -> None:
        masked = mask_text("卡号４１１１１１１１１１１１１１１１")
        assert "４１１１１１１１" not in masked
        assert masked.endswith("１１１１")

    def test_two_cards_in_one_message_are_both_masked(self) -> None:
        masked = mask_text("old 4111 1111 1111 1111, new 5555-5555-5555-4444")
        assert digits(masked) == "11114444"

    def test_a_card_inside_a_longer_digit_run_is_found(self) -> None:
        """A phone number typed just before the card does not hide it."""
        masked = mask_text("call 555 4111 1111 1111 1111")
        assert masked == "call 555 •••• •••• •••• 1111"

    def test_masking_is_idempotent(self) -> None:
        once = mask_text("4111 1111 1111 1111 and 378282246310005")
        assert mask_text(once) == once


class TestNearMisses:
    """What looks like a number but is not a card stays as written."""

    @pytest.mark.parametrize(
        "text",
        [
            "my order is 88123456",
            "order #1234567890123",  # 13 digits, not Luhn-valid
            "order 88123-SG-2026-11",
            "call me on +65 9123 4567",
            "call me on +1 (555) 123-4567",
            "my number is 6591234567",
            "it was on 2026-11-29 and again 2026-11-30",
            "between 29/11/2026 and 30/11/2026",
            "at 10:45, SGD 1,299.00",
            "tracking 12345678901234567890",  # 20 digits: longer than any card
            "invoice INV4111111111111111",  # glued to letters: an identifier
            "reference 0000000000000000",  # Luhn-valid but no issuer starts with 0
            "4111-11-11 1111-11-11",  # date-like grouping, not a card's
            "4111 1111 1111 1112",  # one digit off: Luhn fails
        ],
    )
    def test_kept(self, text: str) -> None:
        assert mask_text(text) == text

    def test_the_thirteen_digit_order_number_really_is_not_luhn_valid(self) -> None:
        assert not luhn_valid("1234567890123")


class TestSplitAcrossMessages:
    """A number typed across consecutive customer messages is masked in all of them."""

    def test_two_halves(self) -> None:
        result = mask_message("1111 1111 thanks", ["hi", "my card is 4111 1111"])
        assert result.text == "•••• 1111 thanks"
        assert result.changed_previous == {1: "my card is •••• ••••"}
        assert result.cards == 1

    def test_four_messages_of_four_digits(self) -> None:
        previous = ["4111", "1111", "1111"]
        partial = mask_message("1111", previous[:2])
        assert partial.changed_previous == {}  # 12 digits so far: not a card yet
        result = mask_message("1111", previous)
        assert result.text == "1111"
        assert result.changed_previous == {0: "••••", 1: "••••", 2: "••••"}

    def test_split_inside_a_group(self) -> None:
        result = mask_message("11 1111 1111", ["card 4111 11"])
        assert digits(result.text) == "1111"
        assert digits(result.changed_previous[0]) == ""

    def test_plain_halves(self) -> None:
        result = mask_message("111111", ["4111111111"])
        assert digits(result.changed_previous[0] + result.text) == "1111"

    def test_last_four_straddling_two_messages(self) -> None:
        result = mask_message("11", ["41111111111111"])
        assert result.text == "11"
        assert result.changed_previous == {0: "••••••••••••11"}

    def test_a_bot_message_in_between_does_not_break_the_chain(self) -> None:
        texts = ["my card 4111 1111", "Sorry, I didn't get that.", "1111 1111"]
        masked = mask_transcript(texts, [True, False, True])
        assert masked == ["my card •••• ••••", "Sorry, I didn't get that.", "•••• 1111"]

    def test_unrelated_numbers_in_consecutive_messages_are_kept(self) -> None:
        previous = ["my order is 88123456"]
        result = mask_message("and my phone is +65 9123 4567", previous)
        assert result.text == "and my phone is +65 9123 4567"
        assert result.changed_previous == {}

    def test_an_order_number_then_a_non_card_continuation_is_kept(self) -> None:
        assert not luhn_valid("1234567887654321")
        result = mask_message("87654321", ["order 12345678"])
        assert result.text == "87654321"
        assert result.changed_previous == {}

    def test_a_message_that_is_not_a_continuation_is_left_alone(self) -> None:
        """The chain stops at a message whose digits are not at its end."""
        result = mask_message("1111 1111", ["4111 1111 is the start", "ok"])
        assert result.changed_previous == {}

    def test_indexes_refer_to_the_list_given(self) -> None:
        previous = ["hello", "order 5", "ok", "card 4111", "1111", "1111"]
        result = mask_message("1111", previous)
        assert set(result.changed_previous) == {3, 4, 5}
        assert result.changed_previous[3] == "card ••••"

    def test_whole_transcript_masking_matches_incremental_masking(self) -> None:
        texts = ["4111", "1111", "1111", "1111 ok", "4111 1111 1111 1111"]
        assert mask_transcript(texts, [True] * 5) == [
            "••••",
            "••••",
            "••••",
            "1111 ok",
            "•••• •••• •••• 1111",
        ]


class TestConfiguredPatterns:
    """Configured secret patterns are replaced by a named placeholder."""

    RULES = MaskingRules(
        patterns=(
            MaskPattern(name="api key", regex=r"sk-[A-Za-z0-9]{20,}"),
            MaskPattern(name="NRIC", regex=r"\b[STFG]\d{7}[A-Z]\b", ignore_case=True),
        )
    )

    def test_replaced_with_their_name(self) -> None:
        text = "key sk-abcdefghijklmnopqrstuvwx and id s1234567d"
        assert mask_text(text, self.RULES) == "key [api key removed] and id [NRIC removed]"

    def test_in_mask_message_too(self) -> None:
        result = mask_message("my NRIC is S1234567D", [], self.RULES)
        assert result.text == "my NRIC is [NRIC removed]"
        assert result.patterns == 1

    def test_masking_with_patterns_is_idempotent(self) -> None:
        once = mask_text("sk-abcdefghijklmnopqrstuvwx 4111111111111111", self.RULES)
        assert mask_text(once, self.RULES) == once

    def test_an_invalid_regex_is_refused_at_configuration(self) -> None:
        with pytest.raises(ValidationError, match="not a valid regular expression"):
            MaskPattern(name="bad", regex="sk-[")

    def test_a_pattern_matching_nothing_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="empty string"):
            MaskPattern(name="empty", regex=r"\d*")


def test_mask_json_masks_every_string_in_metadata() -> None:
    value = {"note": "card 4111111111111111", "nested": [{"x": "5555555555554444"}], "n": 4}
    assert mask_json(value) == {
        "note": "card ••••••••••••1111",
        "nested": [{"x": "••••••••••••4444"}],
        "n": 4,
    }
