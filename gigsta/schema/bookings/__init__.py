"""GraphQL for bookings: the `Booking` type, its actions, and the mutations
that request and act on bookings."""
