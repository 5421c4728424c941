"""``benchmarks.embeddings.measure`` runs its three clients against the emulator."""

from __future__ import annotations

from benchmarks.embeddings import measure

from locus.emulator import Emulator


def test_measure_embeds_with_locus_by_hand_and_with_the_sdk(emu: Emulator) -> None:
    figures = measure(emu.info, count=300, concurrency=2, threads=2)
    assert figures["texts"] == 300
    assert all(figures[k] > 0 for k in ("locus_per_s", "raw_per_s", "sdk_per_s", "speedup"))
