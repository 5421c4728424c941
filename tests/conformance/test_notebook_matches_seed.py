"""The example notebook's Parts 3-5 are the seed's code, with only the endpoint wiring changed.

The seed text (tests/data/seed) lost its indentation, so code is compared token-line by
token-line with whitespace removed. The one allowed change in Parts 3-5 is
``_service_endpoint(region)`` in place of the hard-coded OCI host (so the emulator can stand in);
docstrings are excluded because Part 5's docstring described a parser bug we do not have.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO_ROOT

_SEED_HOST = 'f"https://inference.generativeai.{region}.oci.oraclecloud.com"'
_PARTS = ("async def example_complete", "# Main")


def _code_lines(text: str) -> list[str]:
    start, end = text.index(_PARTS[0]), text.index(_PARTS[1])
    body = re.sub(r'""".*?"""', "", text[start:end], flags=re.S)
    lines = ["".join(line.split()) for line in body.splitlines()]
    return [line for line in lines if line and not set(line) <= {"#", "="}]


def test_parts_3_to_5_are_the_seed_code(data_dir: Path) -> None:
    seed = (data_dir / "seed" / "notebook_04_oci_dac.txt").read_text()
    ours = (REPO_ROOT / "examples" / "notebook_04_oci_dac.py").read_text()
    wiring = "".join(_SEED_HOST.split())
    expected = _code_lines(seed)
    actual = [line.replace("_service_endpoint(region)", wiring) for line in _code_lines(ours)]
    # The seed puts the service_endpoint f-string on one line; so do we after substitution.
    assert actual == expected
