"""OCI config files (``~/.oci/config``): locate, parse, pick a profile.

INI with ``[DEFAULT]`` keys inherited by every profile (wire-spec §7.1). The file is
chosen by ``config_file=``, else ``OCI_CONFIG_FILE``, else ``~/.oci/config`` (else
``~/.oraclebmc/config``). The profile by ``profile_name=``, else ``OCI_PROFILE``, else
``DEFAULT``. ``pass_phrase`` never appears in a repr, and no line of the file ever
appears in an error (any line may hold a secret): errors name line numbers and keys.
"""

from __future__ import annotations

import configparser
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from locus.core.errors import CredentialsError
from locus.models.providers.oci._file_cache import LRUCache, content_digest

__all__ = ["OCIProfile", "load_profile", "resolve_config_path", "resolve_profile_name"]

_DEFAULT_PATHS = ("~/.oci/config", "~/.oraclebmc/config")
_KNOWN_KEYS = frozenset(
    {
        "user",
        "tenancy",
        "fingerprint",
        "key_file",
        "key_content",
        "region",
        "pass_phrase",
        "security_token_file",
        "security_token",
        "delegation_token_file",
        "authentication_type",
        "api_key",
        "compartment_id",
        "log_requests",
        "generic_headers",
        "additional_user_agent",
        "cert_bundle",
    }
)
"""Key names a parse error may name (any other first word of a line may be a secret)."""


@dataclass(frozen=True, slots=True)
class OCIProfile:
    """One profile of an OCI config file, with ``[DEFAULT]`` inheritance applied."""

    name: str
    path: str
    user: str | None = None
    tenancy: str | None = None
    fingerprint: str | None = None
    key_file: str | None = None
    region: str | None = None
    security_token_file: str | None = None
    authentication_type: str | None = None
    additional_user_agent: str | None = None
    """Appended to the requests' ``User-Agent``, as the ``oci`` SDK does."""
    pass_phrase: str | None = field(default=None, repr=False)

    def require(self, key: str) -> str:
        """The value of ``key``, or a ``CredentialsError`` naming the profile and file."""
        value = getattr(self, key)
        if not value:
            raise CredentialsError(
                f"profile [{self.name}] in {self.path} has no '{key}' entry "
                f"(needed for this auth type); add it or pick another profile"
            )
        return str(value)

    def expand(self, path: str) -> Path:
        """A path from the file with ``~`` expanded; a relative one is looked up beside
        the config file first, then (as the SDK does) from the working directory."""
        expanded = Path(os.path.expanduser(path))
        if expanded.is_absolute():
            return expanded
        beside = Path(self.path).parent / expanded
        return beside if beside.exists() or not expanded.exists() else expanded


def resolve_config_path(config_file: str | os.PathLike[str] | None = None) -> Path:
    """The config file to read: explicit, ``OCI_CONFIG_FILE``, or the default locations."""
    if config_file:
        return Path(os.path.expanduser(os.fspath(config_file)))
    from_env = os.environ.get("OCI_CONFIG_FILE")
    if from_env:
        return Path(os.path.expanduser(from_env))
    for candidate in _DEFAULT_PATHS:
        path = Path(os.path.expanduser(candidate))
        if path.is_file():
            return path
    return Path(os.path.expanduser(_DEFAULT_PATHS[0]))


def resolve_profile_name(profile_name: str | None = None) -> str:
    """The profile to use: explicit, ``OCI_PROFILE``, or ``DEFAULT``."""
    return profile_name or os.environ.get("OCI_PROFILE") or "DEFAULT"


def load_profile(
    config_file: str | os.PathLike[str] | None = None, profile_name: str | None = None
) -> OCIProfile:
    """Read one profile; a missing file or profile is a ``CredentialsError`` that says why.

    The file is read on every call, but a given content is parsed once per process.
    """
    path = resolve_config_path(config_file)
    name = resolve_profile_name(profile_name)
    profile = _cached_profile(path, name)
    region = profile.region or os.environ.get("OCI_REGION")
    return profile if region == profile.region else replace(profile, region=region)


_PROFILES: LRUCache[OCIProfile] = LRUCache(32)
"""Keyed by (path as given, resolved path, digest of the file's bytes, profile name)."""


def _cached_profile(path: Path, name: str) -> OCIProfile:
    data = _read_bytes(path)
    if data is None:
        return _profile(path, name, _read_section(path, name, None))
    key = (str(path), str(path.resolve()), content_digest(data), name)
    return _PROFILES.get_or_make(key, lambda: _profile(path, name, _read_section(path, name, data)))


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _profile(path: Path, name: str, values: dict[str, str]) -> OCIProfile:
    """The profile of ``values``, its region as the file says (``OCI_REGION`` applied later)."""
    return OCIProfile(
        name=name,
        path=str(path),
        user=values.get("user"),
        tenancy=values.get("tenancy"),
        fingerprint=values.get("fingerprint"),
        key_file=values.get("key_file"),
        region=values.get("region"),
        security_token_file=values.get("security_token_file"),
        authentication_type=values.get("authentication_type"),
        additional_user_agent=values.get("additional_user_agent") or None,
        pass_phrase=values.get("pass_phrase"),
    )


def _read_section(path: Path, name: str, data: bytes | None) -> dict[str, str]:
    if data is None and not path.is_file():
        raise CredentialsError(
            f"OCI config file not found: {path} (create it with `oci setup config`, "
            "or pass config_file=... / set OCI_CONFIG_FILE)"
        )
    parser = _parse(path, data)
    if name == parser.default_section:
        if not parser.defaults():
            raise CredentialsError(_missing_profile(path, name, parser))
        return _one_line_values(path, name, parser.defaults().items())
    if not parser.has_section(name):
        raise CredentialsError(_missing_profile(path, name, parser))
    return _one_line_values(path, name, parser.items(name))


def _parse(path: Path, data: bytes | None) -> configparser.ConfigParser:
    """The parsed file (``data``: its bytes, already read); a malformed line is named by
    number and key, never quoted (any line may hold a pass phrase or a key), and the
    parser's own text is not chained."""
    parser = configparser.ConfigParser(interpolation=None)
    problem: str | None = None
    try:
        if data is None:
            parser.read(path, encoding="utf-8")
        else:
            parser.read_file(io.StringIO(data.decode("utf-8"), newline=None), source=str(path))
    except configparser.Error as exc:
        problem = _describe(exc, path)
    if problem is not None:
        raise CredentialsError(f"cannot parse OCI config file {path}: {problem}")
    return parser


def _describe(exc: configparser.Error, path: Path) -> str:
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return f"{_line(path, exc.lineno)} comes before any [profile] header"
    if isinstance(exc, configparser.ParsingError):
        lines = ", ".join(_line(path, lineno) for lineno, _ in exc.errors)
        return f"{lines}: not a 'key = value' line"
    if isinstance(exc, configparser.DuplicateOptionError):
        return f"{_line(path, exc.lineno)}: '{exc.option}' is given twice in [{exc.section}]"
    if isinstance(exc, configparser.DuplicateSectionError):
        return f"{_line(path, exc.lineno)}: profile [{exc.section}] is given twice"
    return type(exc).__name__


def _line(path: Path, lineno: int | None) -> str:
    """``line 3 (the 'pass_phrase' entry)``: the key only when it is a known key name."""
    if lineno is None:
        return "a line"
    key = _key_at(path, lineno)
    return f"line {lineno} (the '{key}' entry)" if key else f"line {lineno}"


def _key_at(path: Path, lineno: int) -> str | None:
    try:
        line = path.read_text(encoding="utf-8", errors="replace").splitlines()[lineno - 1]
    except (OSError, IndexError):
        return None
    word = re.split(r"[\s=:]", line.strip(), maxsplit=1)[0].lower()
    return word if word in _KNOWN_KEYS else None


def _one_line_values(path: Path, name: str, items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The profile's entries; one that an indented line continued is refused, by key."""
    values: dict[str, str] = {}
    for key, value in items:
        if "\n" in value.strip():
            raise CredentialsError(
                f"in OCI config file {path}, the '{key}' entry of profile [{name}] runs over "
                f"several lines: {_indented(path)} indented, so it continues that entry. "
                "Each entry is one 'key = value' line; remove the indentation"
            )
        values[key] = value.strip()
    return values


def _indented(path: Path) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    numbers = [str(n) for n, line in enumerate(lines, 1) if line.strip() and line[0].isspace()]
    return (
        ("line " if len(numbers) == 1 else "lines ")
        + ", ".join(numbers)
        + (" is" if len(numbers) == 1 else " are")
    )


def _missing_profile(path: Path, name: str, parser: configparser.ConfigParser) -> str:
    known = ([parser.default_section] if parser.defaults() else []) + parser.sections()
    listed = ", ".join(known) if known else "none"
    return f"profile [{name}] not found in {path} (profiles there: {listed})"
