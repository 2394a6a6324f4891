"""Rendering that needs a drawing library: the frustration chart as PNG (Pillow).

Kept out of ``core`` (which stays free of third-party I/O-ish libraries) and plugged into
``core.handoff.build_handoff_draft(chart=...)``.
"""
