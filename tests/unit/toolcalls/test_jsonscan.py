"""The incremental JSON boundary scanner."""

from __future__ import annotations

import pytest

from locus.toolcalls._jsonscan import JsonScanner, ScanStatus


def _scan_all(text: str, step: int) -> tuple[ScanStatus, int]:
    scanner = JsonScanner()
    for start in range(0, len(text), step):
        chunk = text[start : start + step]
        status, end = scanner.scan(chunk, 0)
        if status is not ScanStatus.MORE:
            return status, start + end
    return ScanStatus.MORE, len(text)


@pytest.mark.parametrize("step", [1, 2, 3, 100])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": "}\\"{"} tail', (ScanStatus.DONE, 13)),
        ('  [{"a": [1, {"b": "]"}]}, {}] x', (ScanStatus.DONE, 30)),
        ("{}", (ScanStatus.DONE, 2)),
        ("[]", (ScanStatus.DONE, 2)),
        ('{"a": "\\\\"}', (ScanStatus.DONE, 11)),
        ('{"a": 1', (ScanStatus.MORE, 7)),
        ("{ nope}", (ScanStatus.REJECT, 2)),
        ("[1, 2]", (ScanStatus.REJECT, 1)),
        ("hello", (ScanStatus.REJECT, 0)),
    ],
)
def test_boundaries(text: str, expected: tuple[ScanStatus, int], step: int) -> None:
    assert _scan_all(text, step) == expected
