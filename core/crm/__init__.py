"""CRM enrichment, pure: mapping schema, matching, transforms, the account card.

No I/O here. Connectors (``connectors.salesforce``, ``connectors.hubspot``) implement
:class:`CrmSource`; the enrichment service (``scheduler.enrichment``) prefetches, caches
and batches lookups and hands :class:`CardResult` to the handoff worker.
"""

from core.crm.card import (
    AccountCard,
    CardLine,
    CardResult,
    CardSection,
    Enrichment,
    ZendeskValues,
    build_enrichment,
    late_card_update,
)
from core.crm.mapping import CrmMapping
from core.crm.matching import customer_keys, resolve
from core.crm.model import (
    Ambiguous,
    CrmRecord,
    CrmSource,
    CustomerKeys,
    LookupResult,
    Matched,
    NoMatch,
)

__all__ = [
    "AccountCard",
    "Ambiguous",
    "CardLine",
    "CardResult",
    "CardSection",
    "CrmMapping",
    "CrmRecord",
    "CrmSource",
    "CustomerKeys",
    "Enrichment",
    "LookupResult",
    "Matched",
    "NoMatch",
    "ZendeskValues",
    "build_enrichment",
    "customer_keys",
    "late_card_update",
    "resolve",
]
