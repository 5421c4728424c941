"""The checks of ``locus doctor``, in order: auth type, credentials (profile, key,
fingerprint, token expiry, or a principal's token), region, compartment, then one tiny
signed call. Each adds one plain-words step to the report; none prints a secret."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from locus.core.errors import LocusError
from locus.core.messages import Message
from locus.doctor._compartment import compartment_problem
from locus.doctor._report import Report, Status
from locus.models.providers.oci import OCIChatCompletionsModel, OCIModel, create_model
from locus.models.providers.oci.auth import (
    OCIAuthType,
    build_auth,
    default_auth_type,
    parse_auth_type,
)
from locus.models.providers.oci.config import OCIProfile, load_profile, resolve_config_path
from locus.models.providers.oci.principals import PrincipalAuth
from locus.models.providers.oci.regions import normalise_region
from locus.models.providers.oci.signer import key_fingerprint, load_private_key
from locus.models.providers.oci.token import TokenTimes

__all__ = ["DEFAULT_MODEL", "Findings", "Options", "run_checks"]

DEFAULT_MODEL = "meta.llama-3.3-70b-instruct"


@dataclass(frozen=True, slots=True)
class Options:
    """What to check (``None``: the same defaults as the models use)."""

    config_file: str | None = None
    profile: str | None = None
    auth_type: str | None = None
    region: str | None = None
    compartment_id: str | None = None
    service_endpoint: str | None = None
    model: str = DEFAULT_MODEL


@dataclass(slots=True)
class Findings:
    """What the checks learnt, for the later ones."""

    auth_type: OCIAuthType | None = None
    profile: OCIProfile | None = None
    principal: PrincipalAuth | None = None
    region: str | None = None
    compartment: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


async def run_checks(options: Options, report: Report) -> Findings:
    """Run every check that still makes sense after the ones before it."""
    found = Findings()
    if not _check_auth_type(options, found, report):
        return found
    if found.auth_type is not None and found.auth_type.is_principal:
        _check_principal(found, report)
    elif found.auth_type is OCIAuthType.GENAI_API_KEY:
        _check_api_key(report)
    if report.failed:
        return found
    _check_region(options, found, report)
    _check_compartment(options, found, report)
    if not report.failed:
        await _check_signed_call(options, found, report)
    return found


def _check_auth_type(options: Options, found: Findings, report: Report) -> bool:
    try:
        auth_type = parse_auth_type(options.auth_type)
    except LocusError as exc:
        report.add("auth type", Status.FAIL, str(exc))
        return False
    if auth_type is None or auth_type.uses_profile:
        found.profile = _check_profile(options, report)
        if found.profile is None:
            return False
        auth_type = auth_type or default_auth_type(found.profile)
    found.auth_type = auth_type
    how = "given" if options.auth_type or os.environ.get("OCI_AUTH_TYPE") else "from the profile"
    report.add("auth type", Status.OK, f"{auth_type.value} ({how})")
    if auth_type.uses_profile and found.profile is not None:
        return _check_key(found.profile, auth_type, report)
    return True


def _check_profile(options: Options, report: Report) -> OCIProfile | None:
    path = resolve_config_path(options.config_file)
    try:
        profile = load_profile(options.config_file, options.profile)
    except LocusError as exc:
        report.add("config file", Status.FAIL, str(exc))
        return None
    report.add("config file", Status.OK, f"profile [{profile.name}] found in {path}")
    return profile


def _check_key(profile: OCIProfile, auth_type: OCIAuthType, report: Report) -> bool:
    try:
        key_path = profile.expand(profile.require("key_file"))
        key = load_private_key(key_path, profile.pass_phrase)
    except LocusError as exc:
        report.add("private key", Status.FAIL, str(exc))
        return False
    actual = key_fingerprint(key)
    report.add("private key", Status.OK, f"{key_path} is readable ({key.key_size}-bit RSA)")
    if auth_type is OCIAuthType.SECURITY_TOKEN:
        return _check_session_token(profile, report)
    configured = (profile.fingerprint or "").strip().lower()
    if configured != actual:
        report.add(
            "fingerprint",
            Status.FAIL,
            f"the profile says {configured or '<none>'} but key_file's fingerprint is {actual}: "
            "point key_file at the key you uploaded, or fix the fingerprint",
        )
        return False
    report.add("fingerprint", Status.OK, f"{actual} matches key_file")
    return True


def _check_session_token(profile: OCIProfile, report: Report) -> bool:
    try:
        path = profile.expand(profile.require("security_token_file"))
        token = path.read_text(encoding="utf-8").strip()
    except (LocusError, OSError) as exc:
        report.add("session token", Status.FAIL, f"cannot read the token: {_reason(exc)}")
        return False
    expires = TokenTimes.of(token).expires
    if expires is None:
        report.add("session token", Status.WARN, f"{path} holds no readable expiry")
        return True
    left = expires - time.time()
    if left <= 0:
        report.add(
            "session token",
            Status.FAIL,
            f"expired {_duration(-left)} ago: run `oci session refresh --profile {profile.name}` "
            "(or `oci session authenticate` if it can no longer be refreshed)",
        )
        return False
    report.add("session token", Status.OK, f"valid for another {_duration(left)}")
    return True


def _check_principal(found: Findings, report: Report) -> None:
    assert found.auth_type is not None
    try:
        auth = build_auth(found.auth_type, None)
        assert isinstance(auth, PrincipalAuth)
        next(auth.sync_auth_flow(httpx.Request("GET", "https://locus.invalid/doctor")))
    except LocusError as exc:
        report.add("principal token", Status.FAIL, str(exc))
        return
    found.principal = auth
    left = None if auth.expires_at is None else auth.expires_at - time.time()
    text = "got a token" + (f", valid for another {_duration(left)}" if left else "")
    report.add("principal token", Status.OK, text)


def _check_api_key(report: Report) -> None:
    if os.environ.get("OCI_GENAI_API_KEY", "").strip():
        report.add("API key", Status.OK, "OCI_GENAI_API_KEY is set (value not shown)")
    else:
        report.add("API key", Status.FAIL, "set OCI_GENAI_API_KEY to a Generative AI API key")


def _check_region(options: Options, found: Findings, report: Report) -> None:
    candidates = [
        (options.region, "given"),
        (found.profile.region if found.profile else None, "from the profile"),
        (found.principal.region if found.principal else None, "from the principal"),
        (os.environ.get("OCI_REGION"), "from OCI_REGION"),
    ]
    raw, source = next(((r, s) for r, s in candidates if r), (None, ""))
    if raw is None:
        status = Status.WARN if options.service_endpoint else Status.FAIL
        text = "not set: pass --region, set OCI_REGION or add it to the profile"
        report.add("region", status, text)
        return
    try:
        found.region = normalise_region(raw)
    except LocusError as exc:
        report.add("region", Status.FAIL, str(exc))
        return
    report.add("region", Status.OK, f"{found.region} ({source})")


def _check_compartment(options: Options, found: Findings, report: Report) -> None:
    value, source = _compartment_source(options, found)
    if not value:
        report.add(
            "compartment", Status.FAIL, "none: pass --compartment-id or set OCI_COMPARTMENT_ID"
        )
        return
    problem = compartment_problem(value)
    if problem is not None:
        report.add("compartment", Status.FAIL, f"{problem} ({source})")
        return
    found.compartment = value
    report.add("compartment", Status.OK, f"{value} ({source})")


def _compartment_source(options: Options, found: Findings) -> tuple[str | None, str]:
    """The compartment to check and where it came from (the tenancy is the root compartment)."""
    candidates = [
        (options.compartment_id, "given"),
        (os.environ.get("OCI_COMPARTMENT_ID"), "from OCI_COMPARTMENT_ID"),
        (found.profile.tenancy if found.profile else None, "the profile's tenancy"),
        (found.principal.tenancy if found.principal else None, "the principal's tenancy"),
    ]
    return next(((v, s) for v, s in candidates if v), (None, ""))


async def _check_signed_call(options: Options, found: Findings, report: Report) -> None:
    assert found.auth_type is not None
    settings: dict[str, Any] = {
        "compartment_id": found.compartment,
        "auth_type": found.auth_type,
        "service_endpoint": options.service_endpoint,
        "region": found.region,
        "max_tokens": 1,
        "max_retries": 0,
    }
    if found.auth_type.uses_profile:
        settings.update(config_file=options.config_file, profile_name=options.profile)
    try:
        model = create_model(options.model, **settings)
        assert isinstance(model, OCIModel | OCIChatCompletionsModel)
        async with model:
            reply = await model.complete([Message.user("Say OK.")])
    except LocusError as exc:
        report.add("signed call", Status.FAIL, " ".join(str(exc).split("\n")))
        return
    where = f" (opc-request-id {reply.request_id})" if reply.request_id else ""
    report.add("signed call", Status.OK, f"{options.model} answered a signed request{where}")


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"
