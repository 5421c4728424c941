"""``MissingExtra``: a feature's optional dependency is not installed, and which extra
brings it (``pip install 'locus-oci[emulator]'``), instead of a bare ``No module named``."""

from __future__ import annotations

__all__ = ["MissingExtra", "missing_extra"]


class MissingExtra(ModuleNotFoundError):
    """An optional dependency of a Locus feature is not installed; the message names the
    ``pip install`` that brings it. (A ``ModuleNotFoundError``: code that catches that
    still catches this.)"""


def missing_extra(
    exc: ModuleNotFoundError, feature: str, extra: str, modules: frozenset[str]
) -> ModuleNotFoundError:
    """What to raise for ``exc`` while ``feature`` was imported: a ``MissingExtra`` when
    the missing module is one of the extra's ``modules``, else ``exc`` itself (a missing
    module of any other kind is a broken installation, not a missing extra)."""
    name = (exc.name or "").partition(".")[0]
    if name not in modules:
        return exc
    message = f"{feature} needs {name}, which is not installed: pip install 'locus-oci[{extra}]'"
    return MissingExtra(message, name=exc.name)
