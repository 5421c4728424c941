"""``locus doctor`` / ``python -m locus.doctor``: check OCI credentials step by step."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from locus.core.errors import ConfigurationError, LocusError
from locus.doctor._checks import DEFAULT_MODEL, Options, run_checks
from locus.doctor._report import Report, Status
from locus.models.providers.oci._service_endpoint import clean_service_endpoint

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, *, prog: str = "locus doctor") -> int:
    """Run the checks and print the report; 0 when every check passed, else 1."""
    options = _parse(list(sys.argv[1:] if argv is None else argv), prog)
    report = Report()
    try:
        asyncio.run(run_checks(options, report))
    except LocusError as exc:  # the model could not be built from the settings checked
        report.add("signed call", Status.FAIL, " ".join(str(exc).split()))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    report.write(sys.stdout)
    return 1 if report.failed else 0


def _endpoint(text: str) -> str:
    """An argparse type: an http(s) URL (``scheme://host[:port]``)."""
    try:
        clean_service_endpoint(text)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(f"{exc}, e.g. http://127.0.0.1:8080") from None
    return text


_EXAMPLES = """examples:
  %(prog)s                                   # the DEFAULT profile of ~/.oci/config
  %(prog)s --profile MYSESSION --compartment-id ocid1.compartment.oc1..<unique id>
  %(prog)s --config-file .emu/config --service-endpoint http://127.0.0.1:8080 \\
      --compartment-id <the compartment_id in .emu/emulator.json>   # the emulator
"""


def _parse(argv: list[str], prog: str) -> Options:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Check an OCI profile or principal (config file, key and fingerprint, "
        "token expiry, region, compartment) and make one tiny signed call. The exit status "
        "is 0 when every check passed, 1 otherwise; secrets are never printed.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config-file", help="OCI config file (default: OCI_CONFIG_FILE, ~/.oci/config)"
    )
    parser.add_argument("--profile", help="profile name (default: OCI_PROFILE, DEFAULT)")
    parser.add_argument(
        "--auth-type",
        help="API_KEY, SECURITY_TOKEN, INSTANCE_PRINCIPAL, RESOURCE_PRINCIPAL, "
        "WORKLOAD_IDENTITY or GENAI_API_KEY (default: OCI_AUTH_TYPE, else from the profile)",
    )
    parser.add_argument("--region", help="region (default: the profile's, or OCI_REGION)")
    parser.add_argument("--compartment-id", help="compartment OCID (default: OCI_COMPARTMENT_ID)")
    parser.add_argument(
        "--service-endpoint",
        type=_endpoint,
        metavar="URL",
        help="inference endpoint (default: from the region)",
    )
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"model or DAC endpoint OCID (default: {DEFAULT_MODEL})",
    )
    args = parser.parse_args(argv)
    return Options(
        config_file=args.config_file,
        profile=args.profile,
        auth_type=args.auth_type,
        region=args.region,
        compartment_id=args.compartment_id,
        service_endpoint=args.service_endpoint,
        model=args.model,
    )
