"""GraphQL for payments: prices, the card hold, payouts and Connect onboarding."""
