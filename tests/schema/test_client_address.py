"""The client's address: the socket peer unless a trusted proxy names another."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from gigsta.schema.client_address import client_address

LB = [ip_network("10.0.0.0/8"), ip_network("fd00::/8")]


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "proxies", "expected"),
    [
        # no trusted proxy: the header is never read
        ("203.0.113.7", ["198.51.100.1"], [], "203.0.113.7"),
        ("127.0.0.1", ["198.51.100.1"], [], "127.0.0.1"),
        # an untrusted peer cannot name someone else
        ("203.0.113.7", ["198.51.100.1"], LB, "203.0.113.7"),
        # behind our load balancer: the address it appended
        ("10.1.2.3", ["198.51.100.1"], LB, "198.51.100.1"),
        # a client's own entries in front of the proxy's are ignored
        ("10.1.2.3", ["1.1.1.1, 2.2.2.2, 198.51.100.1"], LB, "198.51.100.1"),
        # two trusted hops, the header split over two lines
        ("10.1.2.3", ["1.1.1.1, 198.51.100.1", "10.9.9.9"], LB, "198.51.100.1"),
        # every hop trusted: the leftmost one
        ("10.1.2.3", ["10.4.4.4"], LB, "10.4.4.4"),
        # garbage where a proxy's entry should be: the proxy is all we know
        ("10.1.2.3", ["1.1.1.1, not-an-ip"], LB, "10.1.2.3"),
        ("10.1.2.3", [], LB, "10.1.2.3"),
        # IPv6, and IPv4 peers seen through a dual-stack socket
        ("fd00::1", ["2001:db8::5"], LB, "2001:db8::5"),
        ("::ffff:10.1.2.3", ["198.51.100.1"], LB, "198.51.100.1"),
        ("::ffff:203.0.113.7", [], [], "203.0.113.7"),
        # no usable peer (a Unix socket)
        (None, ["198.51.100.1"], LB, "unknown"),
    ],
)
def test_client_address(peer, forwarded_for, proxies, expected):
    assert client_address(peer, forwarded_for, proxies) == expected
