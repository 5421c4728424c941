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


def test_sphinx_style_params_types_and_returns() -> None:
    doc = parse_docstring(
        """Book a table.

        Books it in the restaurant's own system.

        :param restaurant: The restaurant's name,
            as the user wrote it.
        :type restaurant: str
        :param int people: How many guests.
        :keyword note: Anything for the staff.
        :returns: The booking reference.
        :rtype: str
        :raises ValueError: when the restaurant is full.
        """
    )
    assert doc.summary == "Book a table.\n\nBooks it in the restaurant's own system."
    assert doc.params == {
        "restaurant": "The restaurant's name, as the user wrote it.",
        "people": "How many guests.",
        "note": "Anything for the staff.",
    }
    assert doc.types == {"restaurant": "str", "people": "int"}
    assert doc.returns == "The booking reference."


def test_sphinx_param_with_empty_text_and_a_type_only_field() -> None:
    doc = parse_docstring("Do it.\n\n:param flag:\n:type flag: bool\n:return: nothing much")
    assert doc.summary == "Do it."
    assert doc.params == {"flag": ""}
    assert doc.returns == "nothing much"


def test_a_colon_in_plain_prose_is_not_a_sphinx_field() -> None:
    doc = parse_docstring("Ratio: a to b.\n\nUse :func:`divide` for more.")
    assert doc.summary == "Ratio: a to b.\n\nUse :func:`divide` for more."
    assert doc.params == {}


def test_a_sphinx_tool_describes_its_parameters_to_the_model() -> None:
    from locus.tools import tool

    @tool
    def book(restaurant: str, people: int) -> str:
        """Book a table.

        :param restaurant: The restaurant's name.
        :type restaurant: str
        :param people: How many guests.
        :returns: The booking reference.
        """
        return "ref"

    schema = book.spec.parameters
    assert book.spec.description == "Book a table."
    assert schema["properties"]["restaurant"]["description"] == "The restaurant's name."
    assert schema["properties"]["people"]["description"] == "How many guests."
