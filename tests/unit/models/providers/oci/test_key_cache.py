"""Parsed keys and profiles are shared between models, and never served stale."""

from __future__ import annotations

import functools
import os
import threading
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.core.errors import CredentialsError
from locus.models.providers.oci import OCIModel
from locus.models.providers.oci._api_key_auth import ApiKeyAuth
from locus.models.providers.oci._file_cache import LRUCache
from locus.models.providers.oci._key_cache import KEYS, cached_private_key
from locus.models.providers.oci.config import load_profile
from locus.models.providers.oci.signer import key_fingerprint

from .conftest import write_key

MODEL = "meta.llama-3.3-70b-instruct"


def _model_key(config: Path) -> rsa.RSAPrivateKey:
    """The private key a fresh model's connection signs with, after it loaded its files."""
    model = OCIModel(MODEL, config_file=config, compartment_id="c")
    model.connection.load()
    auth = model.connection.auth
    assert isinstance(auth, ApiKeyAuth)
    key = auth.current_signer()._key
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def test_second_model_on_the_same_files_reuses_the_parsed_key(oci_dir: Path) -> None:
    first = _model_key(oci_dir / "config")
    assert _model_key(oci_dir / "config") is first


def test_second_model_reuses_the_parsed_profile(oci_dir: Path) -> None:
    assert load_profile(oci_dir / "config") is load_profile(oci_dir / "config")


def test_rewritten_key_file_is_parsed_again(oci_dir: Path) -> None:
    first = _model_key(oci_dir / "config")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    write_key(oci_dir / "key.pem", other)
    # the same modification time as before: the content alone must tell
    stamp = os.stat(oci_dir / "key.pem").st_mtime_ns
    os.utime(oci_dir / "key.pem", ns=(stamp, stamp))
    second = cached_private_key(oci_dir / "key.pem")
    assert second is not first
    assert key_fingerprint(second) == key_fingerprint(other) != key_fingerprint(first)


def test_touched_config_file_is_read_again(oci_dir: Path) -> None:
    config = oci_dir / "config"
    assert load_profile(config, "DAC").region == "uk-london-1"
    config.write_text(config.read_text().replace("uk-london-1", "eu-paris-01"))
    later = time.time_ns() + 5_000_000_000
    os.utime(config, ns=(later, later))
    assert load_profile(config, "DAC").region == "eu-paris-01"


def test_env_region_still_applies_to_a_cached_profile(
    oci_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = oci_dir / "config"
    config.write_text(config.read_text().replace("region=us-chicago-1\n", ""))
    assert load_profile(config).region is None
    monkeypatch.setenv("OCI_REGION", "ap-tokyo-1")
    assert load_profile(config).region == "ap-tokyo-1"


def test_a_different_pass_phrase_is_not_served_from_the_cache(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    path = write_key(tmp_path / "secret.pem", rsa_key, passphrase="right horse")
    key = cached_private_key(path, "right horse")
    assert key_fingerprint(key) == key_fingerprint(rsa_key)
    assert cached_private_key(path, "right horse") is key
    with pytest.raises(CredentialsError, match="pass_phrase is wrong"):
        cached_private_key(path, "wrong horse")
    with pytest.raises(CredentialsError, match="is encrypted"):
        cached_private_key(path, None)


def test_the_pass_phrase_is_not_kept_printable(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    path = write_key(tmp_path / "secret.pem", rsa_key, passphrase="hunter2-unique")
    cached_private_key(path, "hunter2-unique")
    keys = list(KEYS._entries)
    assert keys and all(b"hunter2-unique" not in repr(k).encode() for k in keys)
    assert "hunter2" not in repr(KEYS)


def test_the_cache_is_bounded_and_forgets_the_least_recently_used() -> None:
    cache: LRUCache[int] = LRUCache(3)
    for n in range(5):
        cache.get_or_make(n, functools.partial(int, n * 10))
    assert len(cache) == 3
    assert cache.get_or_make(4, lambda: -1) == 40
    assert cache.get_or_make(0, lambda: -1) == -1, "the oldest entry was dropped"


def test_the_key_cache_is_bounded(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    for n in range(KEYS.size + 5):
        # the same key, a different file content each time (a comment line ahead of it)
        path = write_key(tmp_path / f"k{n}.pem", rsa_key)
        path.write_bytes(f"key {n}\n".encode() + path.read_bytes())
        cached_private_key(path)
    assert len(KEYS) == KEYS.size


def test_a_failed_parse_is_not_kept() -> None:
    cache: LRUCache[int] = LRUCache(3)

    def fail() -> int:
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get_or_make("k", fail)
    assert len(cache) == 0


def test_threads_share_one_cache(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    path = write_key(tmp_path / "key.pem", rsa_key)
    first = cached_private_key(path)
    seen: list[rsa.RSAPrivateKey] = []
    threads = [
        threading.Thread(target=lambda: seen.append(cached_private_key(path))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a thread ran past 30 s"
    assert len(seen) == 8 and all(key is first for key in seen)
