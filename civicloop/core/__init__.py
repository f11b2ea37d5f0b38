"""Shared helpers with no domain of their own."""
