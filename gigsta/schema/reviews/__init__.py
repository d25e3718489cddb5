"""Reviews after a booking: types, loaders and mutations."""
