"""Payments: prices and GST, what each action does to the money (pure)."""
