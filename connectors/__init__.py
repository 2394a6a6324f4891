"""Adapters to the outside world (Zendesk, Salesforce, HubSpot, summarizers).

Each implements a protocol of :mod:`core.ports`, translates its SDK's errors into
:mod:`core.errors` at its edge, and imports no other connector.
"""
