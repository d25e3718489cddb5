"""Background jobs: the sweeper loop run inside the server, and one-shot commands."""
