"""Salesforce connector on simple-salesforce: batched CRM lookups, session refresh,
errors translated at the edge (:mod:`.errors` holds the status → action table)."""

from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.lookup import SalesforceConnector
from connectors.salesforce.settings import SalesforceSettings

__all__ = ["SalesforceClient", "SalesforceConnector", "SalesforceSettings"]
