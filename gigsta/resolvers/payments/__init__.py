"""Payments: the card hold, the money each transition moves, Stripe sync,
the payment jobs and worker payouts."""
