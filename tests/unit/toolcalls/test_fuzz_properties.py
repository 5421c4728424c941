"""The fuzz harnesses' checks of the text tool-call parsers, as bounded properties.

``tests/fuzz`` runs them under a coverage-guided fuzzer for minutes; here hypothesis
draws the same inputs (``DrawProvider``) a hundred-odd times, so the contract stays
guarded in every run: composed messages give exactly their calls, text and reasoning
(no lost call, no markup in the text), whole and chunked; and for any text, any
chunking equals whole parsing and ``complete()`` agrees with ``stream()``.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import fuzz_toolcalls, fuzz_toolcalls_compose
from tests.fuzz._hypothesis import DrawProvider
from tests.unit.toolcalls.test_properties import PIECES

_texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=30).map("".join)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_composed_messages_give_exactly_their_calls_text_and_reasoning(
    data: st.DataObject,
) -> None:
    fuzz_toolcalls_compose.check(DrawProvider(data))


@settings(max_examples=150, deadline=None)
@given(header=st.binary(min_size=4, max_size=4), text=_texts)
def test_any_text_any_chunking_and_complete_equals_stream(header: bytes, text: str) -> None:
    fuzz_toolcalls.test_one_input(header + text.encode("utf-8", "surrogatepass"))
