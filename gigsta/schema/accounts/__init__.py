"""GraphQL for accounts: users, customers, workers, sign-up and sign-in."""
