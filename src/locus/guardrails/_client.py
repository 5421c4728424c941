"""``OCIGuardrails``: ``POST /20231130/actions/applyGuardrails`` on the native API's connection.

Content moderation, PII detection and prompt-injection detection of one text per call,
with the same keywords, auth modes, signing and retries as ``OCIModel``. The service
scores; what to do with the scores (block, redact, log) is the caller's policy, or the
``oci_guardrails`` hook's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Unpack

from locus._sync import run_sync
from locus.core._checks import reject_unknown
from locus.core.errors import ConfigurationError
from locus.guardrails._result import GuardrailsResult, parse_result
from locus.models.http._settings import keyword_names
from locus.models.providers.oci._actions import ActionClient, ActionOptions

__all__ = ["CATEGORIES", "DEFAULT_PII_TYPES", "OCIGuardrails", "OCIGuardrailsOptions"]

CATEGORIES = ("OVERALL", "BLOCKLIST")
"""The content moderation categories the service scores."""
DEFAULT_PII_TYPES = ("PERSON", "EMAIL", "TELEPHONE_NUMBER")
"""The PII types checked unless ``pii=[...]`` names others (labels as the service uses them)."""

Selection = bool | Sequence[str] | None


class OCIGuardrailsOptions(ActionOptions, total=False):
    """``OCIGuardrails``' keywords: the connection's, sending, and what to check."""

    content_moderation: bool | Sequence[str]
    pii: bool | Sequence[str]
    prompt_injection: bool
    guardrail_version: str | None
    language_code: str | None


_OWN = frozenset(
    {"content_moderation", "pii", "prompt_injection", "guardrail_version", "language_code"}
)


class OCIGuardrails:
    """OCI Generative AI's guardrails (``ApplyGuardrails``) for texts: content moderation
    (``OVERALL``, ``BLOCKLIST``), PII (``pii=["EMAIL", ...]``) and prompt injection.

    ``content_moderation`` and ``pii`` take ``True`` (the defaults), ``False``, or the
    categories / types to check; every keyword of ``OCIModel``'s connection works here
    (``config_file``, ``profile_name``, ``auth_type``, ``region``, ``service_endpoint``,
    ``timeout``, ``max_retries``...).
    """

    keywords: ClassVar[frozenset[str]] = keyword_names(OCIGuardrailsOptions)

    def __init__(
        self, compartment_id: str | None = None, /, **options: Unpack[OCIGuardrailsOptions]
    ) -> None:
        name = type(self).__name__
        if compartment_id is not None and "compartment_id" in options:
            raise ConfigurationError(f"{name} got compartment_id twice")
        unknown = {k: v for k, v in options.items() if k not in self.keywords}
        reject_unknown(name, unknown, self.keywords)
        own = {k: v for k, v in options.items() if k in _OWN}
        self._moderation = _categories(own.get("content_moderation", True))
        self._pii = _types(own.get("pii", True))
        self._injection = bool(own.get("prompt_injection", True))
        self._version = _optional_str("guardrail_version", own.get("guardrail_version"))
        self._language = _optional_str("language_code", own.get("language_code"))
        if not (self._moderation or self._pii or self._injection):
            raise ConfigurationError(f"{name} checks nothing: enable at least one guardrail")
        rest = {k: v for k, v in options.items() if k not in _OWN}
        if compartment_id is not None:
            rest["compartment_id"] = compartment_id
        valid = self.keywords - _OWN
        self._client = ActionClient(
            name, "guardrails", "applyGuardrails", rest, valid, subject="ApplyGuardrails"
        )

    def __repr__(self) -> str:
        checks = [
            *(["content_moderation"] if self._moderation else []),
            *(["pii"] if self._pii else []),
            *(["prompt_injection"] if self._injection else []),
        ]
        return f"OCIGuardrails(checks={checks})"

    @property
    def endpoint(self) -> str:
        """The URL of ``applyGuardrails`` (known after the first call)."""
        return self._client.endpoint

    @property
    def region(self) -> str | None:
        """The region the calls go to (known after the first call)."""
        return self._client.connection.region

    async def check(
        self,
        text: str,
        *,
        content_moderation: Selection = None,
        pii: Selection = None,
        prompt_injection: bool | None = None,
    ) -> GuardrailsResult:
        """Score ``text``; keywords given here replace this instance's choice for the call."""
        if not isinstance(text, str):
            raise ConfigurationError(f"check() takes a string, not {type(text).__name__}")
        moderation = (
            self._moderation if content_moderation is None else _categories(content_moderation)
        )
        types = self._pii if pii is None else _types(pii)
        injection = self._injection if prompt_injection is None else bool(prompt_injection)
        configs = _configs(moderation, types, injection)
        if not configs:
            raise ConfigurationError("check() with every guardrail off checks nothing")
        await self._client.ready()
        body: dict[str, Any] = {
            "input": _input(text, self._language),
            "guardrailConfigs": configs,
            "compartmentId": self._client.compartment_id(),
        }
        if self._version is not None:
            body["guardrailVersionConfig"] = {"guardrailVersion": self._version}
        answer = await self._client.post(body)
        return parse_result(text, answer, self.endpoint)

    def check_sync(
        self,
        text: str,
        *,
        content_moderation: Selection = None,
        pii: Selection = None,
        prompt_injection: bool | None = None,
    ) -> GuardrailsResult:
        """``check()`` for synchronous code."""
        return run_sync(
            lambda: self.check(
                text,
                content_moderation=content_moderation,
                pii=pii,
                prompt_injection=prompt_injection,
            ),
            name="check_sync",
            instead="await guardrails.check(...)",
        )

    async def aclose(self) -> None:
        """Close the HTTP client; the object stays usable."""
        await self._client.aclose()

    async def __aenter__(self) -> OCIGuardrails:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _configs(moderation: tuple[str, ...], pii: tuple[str, ...], injection: bool) -> dict[str, Any]:
    configs: dict[str, Any] = {}
    if moderation:
        configs["contentModerationConfig"] = {"categories": list(moderation)}
    if pii:
        configs["personallyIdentifiableInformationConfig"] = {"types": list(pii)}
    if injection:
        configs["promptInjectionConfig"] = {}
    return configs


def _input(text: str, language: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "TEXT", "content": text}
    if language is not None:
        entry["languageCode"] = language
    return entry


def _categories(value: object) -> tuple[str, ...]:
    chosen = _selection("content_moderation", value, CATEGORIES)
    bad = [c for c in chosen if c not in CATEGORIES]
    if bad:
        raise ConfigurationError(
            f"content_moderation categories {bad} are unknown; use {list(CATEGORIES)}"
        )
    return chosen


def _types(value: object) -> tuple[str, ...]:
    return _selection("pii", value, DEFAULT_PII_TYPES)


def _selection(name: str, value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is True:
        return default
    if value is False or value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigurationError(f"{name} takes True, False or a list of names, not {value!r}")
    if not all(isinstance(v, str) and v for v in value):
        raise ConfigurationError(f"{name} takes a list of non-empty names")
    return tuple(dict.fromkeys(str(v).upper() for v in value))


def _optional_str(name: str, value: object) -> str | None:
    if value is None or (isinstance(value, str) and value.strip()):
        return value
    raise ConfigurationError(f"{name} must be a non-empty string")
