"""HubSpot connector on hubspot-api-client: batched CRM lookups (batch read, search,
associations v4), notes, errors of every API package handled in :mod:`.errors`."""

from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.lookup import HubSpotConnector
from connectors.hubspot.settings import HubSpotSettings

__all__ = ["HubSpotClient", "HubSpotConnector", "HubSpotSettings"]
