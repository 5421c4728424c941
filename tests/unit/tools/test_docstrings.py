"""Docstring parsing: summaries and per-argument text, Google and NumPy styles."""

from __future__ import annotations

from locus.tools._docstrings import parse_docstring


def test_empty_docstring() -> None:
    assert parse_docstring(None).summary == ""
    assert parse_docstring("").params == {}


def test_plain_summary_keeps_all_paragraphs_before_sections() -> None:
    doc = parse_docstring("Add numbers.\n\n    Works with negatives too.\n")
    assert doc.summary == "Add numbers.\n\nWorks with negatives too."
    assert doc.params == {}


def test_google_style_with_types_and_continuations() -> None:
    doc = parse_docstring(
        """Look up the weather.

        Args:
            city (str): The city name,
                as the user wrote it.
            unit: "c" or "f".
            *extra: ignored varargs text.

        Returns:
            A report.
        """
    )
    assert doc.summary == "Look up the weather."
    assert doc.params == {
        "city": "The city name, as the user wrote it.",
        "unit": '"c" or "f".',
        "extra": "ignored varargs text.",
    }


def test_google_returns_section_is_not_read_as_arguments() -> None:
    doc = parse_docstring("Do it.\n\nReturns:\n    result: the result\n")
    assert doc.params == {}
    assert doc.summary == "Do it."


def test_numpy_style() -> None:
    doc = parse_docstring(
        """Convert a temperature.

        Parameters
        ----------
        value : float
            The temperature
            to convert.
        scale : {"c", "f"}, optional
            Target scale.

        Returns
        -------
        float
            Converted value.
        """
    )
    assert doc.summary == "Convert a temperature."
    assert doc.params == {"value": "The temperature to convert.", "scale": "Target scale."}


def test_numpy_parameter_without_description() -> None:
    doc = parse_docstring("Do it.\n\nParameters\n----------\nflag : bool\n")
    assert doc.params == {"flag": ""}
