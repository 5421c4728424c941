"""The parser benchmark runs and its text really contains calls, reasoning and prose."""

from __future__ import annotations

from benchmarks.parser_throughput import make_text, measure

from locus.toolcalls import parse_tool_calls


def test_benchmark_text_exercises_the_parser() -> None:
    text = make_text(20_000)
    assert len(text) == 20_000
    parsed = parse_tool_calls(text)
    assert len(parsed.tool_calls) >= 15
    assert parsed.reasoning and "<" in parsed.content and "[" in parsed.content
    assert len(parsed.problems) <= 1  # at most the call cut off by the size limit


def test_measure_returns_rates_per_size() -> None:
    results = measure(sizes=(5_000,))
    assert set(results) == {5_000}
    assert results[5_000]["whole_mb_s"] > 0 and results[5_000]["streamed_mb_s"] > 0
