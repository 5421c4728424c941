"""The native structured-output capability table."""

from __future__ import annotations

import pytest

from locus.core._native_output import native_output_for, native_output_support
from locus.core._output_schema import native_output_support as reexported


@pytest.mark.parametrize(
    ("model_id", "api_format", "expected"),
    [
        ("cohere.command-r-plus-08-2024", "COHERE", "json_object"),
        ("cohere.command-a-03-2025", "COHEREV2", "json_object"),
        ("cohere.command-a-03-2025", None, "json_object"),
        ("openai.gpt-oss-120b", "GENERIC", "strict"),
        ("xai.grok-4", None, "strict"),
        ("meta.llama-3.3-70b-instruct", "GENERIC", "json_schema"),
        ("google.gemini-2.5-flash", "GENERIC", "json_schema"),
        ("mistral.unknown-model", "GENERIC", None),
        ("ocid1.generativeaiendpoint.oc1.uk-london-1.amaaaaaaxyz", "GENERIC", None),
    ],
)
def test_table(model_id: str, api_format: str | None, expected: str | None) -> None:
    assert native_output_for(model_id, api_format) == expected


def test_a_dac_says_nothing_whatever_its_name() -> None:
    assert native_output_for("openai.gpt-oss-120b", "GENERIC", dedicated=True) is None


class _Declares:
    native_output = "json_schema"


class _Silent:
    model_id = "meta.llama-3.3-70b-instruct"


class _Wrong:
    native_output = "yes please"


def test_support_is_what_the_model_declares() -> None:
    assert native_output_support(_Declares()) == "json_schema"
    assert native_output_support(_Silent()) is None  # a model id alone is not a declaration
    assert native_output_support(_Wrong()) is None
    assert reexported is native_output_support
