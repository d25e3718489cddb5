"""Local stand-ins for the services GigSta talks to (MongoDB, Stripe, R2,
Addressable), each started as its own process with `scripts.processes`.

Stand-ins never import `scripts.devstack`; it imports them.
"""
