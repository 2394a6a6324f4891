"""A local stand-in for Zendesk, Salesforce and HubSpot, served on one loopback port.

Routed by path: ``/api/v2/...`` Zendesk, ``/services/data/vXX.X/...`` Salesforce,
``/crm/...`` HubSpot, ``/_sandbox/...`` its own admin API (ledger, faults, reset).
The real client libraries reach it over HTTP exactly as they would reach the SaaS.
"""
