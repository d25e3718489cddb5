"""Narrow clients for outside services; each takes its endpoint from settings."""
