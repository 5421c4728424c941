"""OCI config files (``~/.oci/config``): locate, parse, pick a profile.

INI with ``[DEFAULT]`` keys inherited by every profile (wire-spec §7.1). The file is
chosen by ``config_file=``, else ``OCI_CONFIG_FILE``, else ``~/.oci/config`` (else
``~/.oraclebmc/config``). The profile by ``profile_name=``, else ``OCI_PROFILE``, else
``DEFAULT``. ``pass_phrase`` never appears in a repr.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from pathlib import Path

from locus.core.errors import CredentialsError

__all__ = ["OCIProfile", "load_profile", "resolve_config_path", "resolve_profile_name"]

_DEFAULT_PATHS = ("~/.oci/config", "~/.oraclebmc/config")


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
    """Read one profile; a missing file or profile is a ``CredentialsError`` that says why."""
    path = resolve_config_path(config_file)
    name = resolve_profile_name(profile_name)
    values = _read_section(path, name)
    region = values.get("region") or os.environ.get("OCI_REGION")
    return OCIProfile(
        name=name,
        path=str(path),
        user=values.get("user"),
        tenancy=values.get("tenancy"),
        fingerprint=values.get("fingerprint"),
        key_file=values.get("key_file"),
        region=region,
        security_token_file=values.get("security_token_file"),
        authentication_type=values.get("authentication_type"),
        pass_phrase=values.get("pass_phrase"),
    )


def _read_section(path: Path, name: str) -> dict[str, str]:
    if not path.is_file():
        raise CredentialsError(
            f"OCI config file not found: {path} (create it with `oci setup config`, "
            "or pass config_file=... / set OCI_CONFIG_FILE)"
        )
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise CredentialsError(f"cannot parse OCI config file {path}: {exc}") from exc
    if name == parser.default_section:
        if not parser.defaults():
            raise CredentialsError(_missing_profile(path, name, parser))
        return {k: v.strip() for k, v in parser.defaults().items()}
    if not parser.has_section(name):
        raise CredentialsError(_missing_profile(path, name, parser))
    return {k: v.strip() for k, v in parser.items(name)}


def _missing_profile(path: Path, name: str, parser: configparser.ConfigParser) -> str:
    known = ([parser.default_section] if parser.defaults() else []) + parser.sections()
    listed = ", ".join(known) if known else "none"
    return f"profile [{name}] not found in {path} (profiles there: {listed})"
