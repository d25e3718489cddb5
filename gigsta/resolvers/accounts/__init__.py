"""Accounts: sign-up and sign-in, tokens, customer and worker profiles."""
