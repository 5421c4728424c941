"""Checked names: an unknown keyword or value is an error that suggests the closest one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from locus.core.errors import ConfigurationError


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``choices``, or ``""``."""
    import difflib  # only a bad name needs it (kept out of the agent's import)

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def reject_unknown(
    owner: str, given: Mapping[str, Any], valid: Iterable[str], *, advice: str | None = None
) -> None:
    """Raise ``ConfigurationError`` if ``given`` holds names outside ``valid``.

    The message names each unknown name with its closest valid one, then ``advice``
    (or, by default, the list of valid names).
    """
    if not given:
        return
    names = sorted(set(valid))
    problems = [f"{name!r}{did_you_mean(name, names)}" for name in sorted(given)]
    tail = advice if advice is not None else f"Valid names: {', '.join(names)}"
    raise ConfigurationError(
        f"{owner} got unknown keyword argument(s): {'; '.join(problems)}. {tail}"
    )
