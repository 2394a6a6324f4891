"""The handoff context an agent receives: masking, summary, opening line, note, fields.

Pure: no I/O, no SDK. The worker gathers a :class:`HandoffContext`; ``core.handoff``
turns it into a ticket draft, ``web.context`` into the context page.
"""

from core.context.links import LinkError, sign_context_link, verify_context_link
from core.context.masking import (
    SPLIT_LOOKBACK,
    MaskingRules,
    MaskPattern,
    MaskResult,
    luhn_valid,
    mask_json,
    mask_message,
    mask_text,
    mask_transcript,
)
from core.context.model import (
    AccountCard,
    CardStatus,
    FieldTitles,
    FieldValues,
    HandoffContext,
    RoutingRules,
    Verification,
    ZendeskDirectory,
)
from core.context.summary import OfflineSummarizer, Summarizer, Summary, SummaryRequest
from core.context.trajectory import TrajectoryPoint
from core.context.view import HandoffView, prepare

__all__ = [
    "SPLIT_LOOKBACK",
    "AccountCard",
    "CardStatus",
    "FieldTitles",
    "FieldValues",
    "HandoffContext",
    "HandoffView",
    "LinkError",
    "MaskPattern",
    "MaskResult",
    "MaskingRules",
    "OfflineSummarizer",
    "RoutingRules",
    "Summarizer",
    "Summary",
    "SummaryRequest",
    "TrajectoryPoint",
    "Verification",
    "ZendeskDirectory",
    "luhn_valid",
    "mask_json",
    "mask_message",
    "mask_text",
    "mask_transcript",
    "prepare",
    "sign_context_link",
    "verify_context_link",
]
