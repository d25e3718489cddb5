"""Live updates: the instance's change stream and what subscribers receive."""
