"""Who is calling: the socket peer, or the client a trusted proxy names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network


def _parse(text: str) -> Address | None:
    try:
        address = ip_address(text.strip())
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address in network for network in proxies)


def client_address(
    peer: str | None, forwarded_for: Iterable[str], proxies: Sequence[Network]
) -> str:
    """The client's address, as per-client limits count it.

    Each proxy appends the address it saw to `X-Forwarded-For`, and a client
    can write anything in front of those. So the list is read from the right,
    starting at the socket peer: while the hop in hand is one of our `proxies`,
    its word about the hop before it is taken; the first other hop is the
    client. With no trusted proxies the header is never read.
    """
    address = _parse(peer) if peer else None
    if address is None:
        return peer or "unknown"
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        if not _trusted(address, proxies):
            break
        previous = _parse(hop)
        if previous is None:
            break  # not written by a proxy of ours: the proxy is all we know
        address = previous
    return str(address)
