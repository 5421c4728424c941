"""A malformed OCI config line never shows up in an error: not in its text, its repr or
a formatted traceback (any line may hold a pass phrase, a key or a token)."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest

from locus.core.errors import CredentialsError
from locus.models.providers.oci.config import load_profile

SECRET = "hunter2-very-secret"
GOOD = "user=ocid1.user.oc1..u\nfingerprint=aa:bb\ntenancy=ocid1.tenancy.oc1..t\n"

CASES = {
    "no equals sign": f"[DEFAULT]\n{GOOD}pass_phrase {SECRET}\n",
    "indented, continuing an entry": f"[DEFAULT]\n{GOOD}key_file=~/k.pem\n  pass_phrase={SECRET}\n",
    "before any header": f"pass_phrase={SECRET}\n[DEFAULT]\n{GOOD}",
    "a bare secret": f"[DEFAULT]\n{GOOD}{SECRET}\n",
    "security token": f"[DEFAULT]\n{GOOD}security_token: {SECRET}\n  more\nx",
}


def failure(tmp_path: Path, content: str) -> CredentialsError:
    config = tmp_path / "config"
    config.write_text(content)
    with pytest.raises(CredentialsError) as caught:
        load_profile(config, "DEFAULT")
    return caught.value


@pytest.mark.parametrize("content", CASES.values(), ids=CASES.keys())
def test_the_secret_is_in_no_text_repr_or_traceback(tmp_path: Path, content: str) -> None:
    error = failure(tmp_path, content)
    shown = [str(error), repr(error), "".join(traceback.format_exception(error))]
    for text in shown:
        assert SECRET not in text
    assert "line " in str(error)


def test_the_error_names_line_and_key(tmp_path: Path) -> None:
    error = failure(tmp_path, CASES["no equals sign"])
    assert "line 5 (the 'pass_phrase' entry)" in str(error)
    error = failure(tmp_path, CASES["indented, continuing an entry"])
    assert "'key_file' entry" in str(error) and "line 6 is indented" in str(error)
    error = failure(tmp_path, CASES["a bare secret"])
    assert "line 5: not a 'key = value' line" in str(error)
