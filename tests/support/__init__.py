"""Reusable test helpers (real servers over loopback, no fakes of our own parts)."""
