"""The daemon's HTTP surface: the signed event webhook, health and metrics."""
