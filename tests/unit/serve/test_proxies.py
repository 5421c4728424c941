"""The trusted proxies of ``locus serve --forwarded-allow-ips``: where they come from and
what is refused (what uvicorn would silently never match)."""

from __future__ import annotations

import re

import pytest

from locus.core.errors import ConfigurationError
from locus.serve._proxies import trusted_proxies


def test_the_flag_wins_then_the_environment_then_uvicorns_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert trusted_proxies(None) == ["127.0.0.1", "::1"]
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.10.0/24, 10.0.20.7")
    assert trusted_proxies(None) == ["10.0.10.0/24", "10.0.20.7"]
    assert trusted_proxies("fd00::/64,192.0.2.1") == ["fd00::/64", "192.0.2.1"]
    assert trusted_proxies(" * ") == ["*"]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("10.0.10.5/24", "has host bits set"),
        ("lb.example.com", "'lb.example.com' is not an IP address"),
        ("[::1]", "'[::1]' is not an IP address"),
        ("*,10.0.0.1", "'*' trusts every peer, so give it alone"),
        (" , ", "is empty"),
    ],
)
def test_what_would_match_nothing_is_refused(value: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(says)):
        trusted_proxies(value)
