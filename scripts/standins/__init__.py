"""Launchers for the local stand-ins of paid services (child processes)."""
