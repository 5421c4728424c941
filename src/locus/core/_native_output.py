"""What native structured output a model can do: the capability table per model family.

``native_output_support(model)`` reads the model's own ``native_output`` attribute (the
OCI and OpenAI-compatible model classes compute it with ``native_output_for``); a model
without one (a test double, a custom class) says nothing, and ``None`` is the answer.

The table, for on-demand OCI model ids (a DAC endpoint OCID reveals no family: ``None``):

============================  ===============  =================================================
family (model id prefix)      support          what is sent
============================  ===============  =================================================
``cohere.`` (COHERE, V2)      ``json_object``  ``JSON_OBJECT`` with the schema (no strict mode)
``openai.`` (gpt-oss, gpt-*)  ``strict``       ``JSON_SCHEMA`` with ``isStrict`` when it fits
``xai.`` (Grok)               ``strict``       ``JSON_SCHEMA`` with ``isStrict`` when it fits
``meta.`` (Llama)             ``json_schema``  ``JSON_SCHEMA``, not strict
``google.`` (Gemini)          ``json_schema``  ``JSON_SCHEMA``, not strict
anything else                 ``None``         (use a tool, or prompt for JSON)
============================  ===============  =================================================
"""

from __future__ import annotations

from typing import Literal

__all__ = ["NativeOutputSupport", "native_output_for", "native_output_support"]

NativeOutputSupport = Literal["strict", "json_schema", "json_object"]
"""``strict``: a JSON schema the server enforces; ``json_schema``: a JSON schema the model
is asked to follow; ``json_object``: JSON with a schema (Cohere's ``JSON_OBJECT``)."""

_SUPPORT: tuple[NativeOutputSupport, ...] = ("strict", "json_schema", "json_object")

_FAMILIES: tuple[tuple[str, NativeOutputSupport], ...] = (
    ("cohere.", "json_object"),
    ("openai.", "strict"),
    ("xai.", "strict"),
    ("meta.", "json_schema"),
    ("google.", "json_schema"),
)


def native_output_support(model: object) -> NativeOutputSupport | None:
    """The native structured output ``model`` can do, as it declares it (``native_output``),
    or ``None`` when it declares nothing (then a tool is the safe way to get typed output)."""
    declared = getattr(model, "native_output", None)
    for support in _SUPPORT:
        if declared == support:
            return support
    return None


def native_output_for(
    model_id: str, api_format: str | None = None, *, dedicated: bool = False
) -> NativeOutputSupport | None:
    """The table's answer for an on-demand OCI model id (``None`` for a DAC endpoint)."""
    if dedicated or model_id.strip().lower().startswith("ocid1."):
        return None
    if api_format is not None and str(api_format).upper() in ("COHERE", "COHEREV2"):
        return "json_object"
    name = model_id.strip().lower()
    for prefix, support in _FAMILIES:
        if name.startswith(prefix):
            return support
    return None
