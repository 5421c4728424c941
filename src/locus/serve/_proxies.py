"""Which peers may say who the client is: ``locus serve --forwarded-allow-ips``.

Behind a load balancer every connection comes from the balancer, so the guard's
per-client limit and its loopback rule (``_guard``) would see one client. uvicorn's
proxy-headers middleware rewrites ``scope["client"]`` from ``X-Forwarded-For``, but only
for a connection whose peer is trusted (this list); the guard then keys on what it
wrote. What the installed uvicorn does (``uvicorn/middleware/proxy_headers.py``):

- an entry is an address (``10.0.0.7``, ``::1``) or a network in CIDR form
  (``10.0.10.0/24``); a network with host bits set (``10.0.10.5/24``), a host name or a
  bracketed address would silently match nothing there, so they are refused here;
- a request from an untrusted peer keeps its peer as the client, whatever headers it
  sent;
- from a trusted peer, the client is the rightmost entry of ``X-Forwarded-For`` that is
  not itself trusted (each proxy appends the address it saw, so entries left of it are
  whatever the client wrote); when every entry is trusted, the leftmost;
- ``*`` trusts every peer and takes the **leftmost** entry, which the client writes
  itself whenever the proxy appends to the header (the OCI load balancer does): any
  client can then claim any address, loopback included.

The value comes from the flag, else the ``FORWARDED_ALLOW_IPS`` environment variable
(uvicorn's own), else uvicorn's default ``127.0.0.1,::1``; it is resolved and checked
once here and handed to uvicorn explicitly, so every worker process trusts the same.
"""

from __future__ import annotations

import ipaddress
import os

from locus.core.errors import ConfigurationError

__all__ = ["DEFAULT_TRUSTED", "TRUSTED_ENV", "trusted_proxies"]

TRUSTED_ENV = "FORWARDED_ALLOW_IPS"
DEFAULT_TRUSTED = "127.0.0.1,::1"
"""uvicorn's default: a proxy on the same host (nginx in front, say) is trusted."""


def trusted_proxies(flag: str | None) -> list[str]:
    """The trusted peers of ``--forwarded-allow-ips`` (``flag``, else the environment
    variable, else the default), each checked; ``["*"]`` trusts every peer."""
    if flag is not None:
        return parse(flag, "--forwarded-allow-ips")
    if TRUSTED_ENV in os.environ:
        return parse(os.environ[TRUSTED_ENV], TRUSTED_ENV)
    return parse(DEFAULT_TRUSTED, "the default")


def parse(value: str, origin: str) -> list[str]:
    """Comma-separated addresses and CIDR networks, or ``*`` alone."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ConfigurationError(f"{origin} is empty: list addresses or networks (or '*')")
    if "*" in items:
        if len(items) > 1:
            raise ConfigurationError(f"{origin}: '*' trusts every peer, so give it alone")
        return ["*"]
    for item in items:
        _check(item, origin)
    return items


def _check(item: str, origin: str) -> None:
    try:
        if "/" in item:
            ipaddress.ip_network(item)
        else:
            ipaddress.ip_address(item)
    except ValueError as exc:
        raise ConfigurationError(
            f"{origin}: {item!r} is not an IP address or a network in CIDR form ({exc})"
        ) from None
