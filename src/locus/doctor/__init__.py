"""``locus doctor``: check an OCI profile or principal and make one tiny signed call.

Each step (config file, key readable and matching its fingerprint, token expiry,
region, compartment, signed call) is reported in plain words; secrets never are.
"""

from __future__ import annotations

from locus.doctor._cli import main

__all__ = ["main"]
