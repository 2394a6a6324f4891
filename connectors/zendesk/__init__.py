"""Zendesk Support connector on zenpy: tickets, internal notes, lookups."""

from connectors.zendesk.settings import ZendeskSettings
from connectors.zendesk.tickets import ZendeskTickets

__all__ = ["ZendeskSettings", "ZendeskTickets"]
