"""What every use case shares: ids from clients, cursors, rate limits."""
