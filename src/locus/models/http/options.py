"""Checked keyword arguments: an unknown name is an error that suggests the closest one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from locus.core.errors import ConfigurationError

__all__ = ["reject_unknown"]


def reject_unknown(owner: str, given: Mapping[str, Any], valid: Iterable[str]) -> None:
    """Raise ``ConfigurationError`` if ``given`` holds names outside ``valid``."""
    if not given:
        return
    names = sorted(set(valid))
    problems = [_describe(name, names) for name in sorted(given)]
    raise ConfigurationError(
        f"{owner} got unknown keyword argument(s): {'; '.join(problems)}. "
        f"Valid names: {', '.join(names)}"
    )


def _describe(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    return f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name)
