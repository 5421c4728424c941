"""OCI config files: location, DEFAULT inheritance, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from locus.core.errors import ConfigurationError, CredentialsError
from locus.models.providers.oci.config import load_profile, resolve_config_path

from .conftest import TENANCY, USER


def test_default_profile(oci_dir: Path) -> None:
    profile = load_profile(oci_dir / "config")
    assert (profile.name, profile.user, profile.tenancy) == ("DEFAULT", USER, TENANCY)
    assert profile.region == "us-chicago-1"
    assert profile.expand(profile.require("key_file")) == oci_dir / "key.pem"


def test_profiles_inherit_default_keys(oci_dir: Path) -> None:
    profile = load_profile(oci_dir / "config", "DAC")
    assert profile.region == "uk-london-1"
    assert profile.user == USER and profile.key_file == "key.pem"


def test_env_selects_file_and_profile(oci_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCI_CONFIG_FILE", str(oci_dir / "config"))
    monkeypatch.setenv("OCI_PROFILE", "DAC")
    assert resolve_config_path() == oci_dir / "config"
    assert load_profile().name == "DAC"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="config file not found") as info:
        load_profile(tmp_path / "nope")
    assert isinstance(info.value, ConfigurationError)


def test_missing_profile_lists_the_known_ones(oci_dir: Path) -> None:
    with pytest.raises(CredentialsError, match=r"\[NOPE\] not found.*DEFAULT, DAC, SESSION"):
        load_profile(oci_dir / "config", "NOPE")


def test_missing_key_names_profile_and_key(oci_dir: Path) -> None:
    profile = load_profile(oci_dir / "config", "SESSION")
    with pytest.raises(CredentialsError, match=r"\[SESSION\].*no 'user' entry"):
        profile.require("user")


def test_pass_phrase_is_not_in_repr(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[DEFAULT]\npass_phrase=hunter2secret\nkey_file=k\n")
    profile = load_profile(tmp_path / "config")
    assert profile.pass_phrase == "hunter2secret"
    assert "hunter2secret" not in repr(profile)


def test_region_falls_back_to_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").write_text("[DEFAULT]\nuser=u\n")
    monkeypatch.setenv("OCI_REGION", "eu-frankfurt-1")
    assert load_profile(tmp_path / "config").region == "eu-frankfurt-1"
