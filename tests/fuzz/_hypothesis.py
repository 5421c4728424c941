"""The fuzz harnesses' data provider backed by ``hypothesis``, so that the suite runs
the same generators and checks (bounded, and without atheris) as ordinary properties."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["DrawProvider"]

_NO_SURROGATES = st.characters(codec="utf-8")  # (no lone surrogates)


class DrawProvider:
    """A ``Provider`` whose every value is drawn from ``data`` (``@given(data=st.data())``),
    so hypothesis can shrink a failing example."""

    def __init__(self, data: st.DataObject) -> None:
        self._draw = data.draw

    def ConsumeBytes(self, count: int) -> bytes:
        return self._draw(st.binary(max_size=count))

    def ConsumeUnicodeNoSurrogates(self, count: int) -> str:
        return self._draw(st.text(_NO_SURROGATES, max_size=count))

    def ConsumeIntInRange(self, low: int, high: int) -> int:
        return self._draw(st.integers(low, high))

    def ConsumeBool(self) -> bool:
        return self._draw(st.booleans())

    def remaining_bytes(self) -> int:
        return 1 << 10
