"""Run ids and tool-call ids: the right shape, never repeated, and drawn from the OS's
entropy a buffer at a time (``locus.core._entropy``), not one system call per id. (That a
forked child draws other bytes than its parent is tested through the retry tokens, which
share the buffer: tests/unit/models/providers/oci/test_ids.py.)"""

from __future__ import annotations

import os
import re
import uuid

import pytest

from locus.agent._ids import new_id
from locus.core._call_ids import new_call_id
from locus.core._entropy import random_bytes


def test_run_ids_are_version_4_uuids_never_repeated_across_many_refills() -> None:
    ids = [new_id() for _ in range(3000)]  # 48 KB: a dozen 4 KiB buffers
    assert len(set(ids)) == len(ids)
    for run_id in ids[:50]:
        parsed = uuid.UUID(hex=run_id)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and parsed.hex == run_id


def test_tool_call_ids_keep_their_shape() -> None:
    ids = [new_call_id() for _ in range(1000)] + [new_call_id("cohere") for _ in range(10)]
    assert all(re.fullmatch(r"(call|cohere)_[0-9a-f]{24}", call_id) for call_id in ids)
    assert len(set(ids)) == len(ids)


def test_ids_cost_one_system_call_per_buffer_not_one_per_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    real = os.urandom

    def counted(size: int) -> bytes:
        calls.append(size)
        return real(size)

    monkeypatch.setattr(os, "urandom", counted)  # (what _entropy reads through)
    for _ in range(1000):  # 16,000 bytes of run ids, 12,000 of call ids
        new_id()
        new_call_id()
    assert 6 <= len(calls) <= 8, calls  # 28,000 bytes in 4 KiB reads
    assert set(calls) == {4096}


def test_a_draw_larger_than_the_buffer_is_read_whole() -> None:
    big = random_bytes(10_000)
    assert len(big) == 10_000 and len(set(big)) > 200
    assert len(random_bytes(0)) == 0
