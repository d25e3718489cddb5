"""Narrow clients for the paid services; each takes its endpoint from settings."""
