"""Whether a string has the shape of a compartment (or tenancy) OCID; nothing is looked up.

Compartments and tenancies are regionless: ``ocid1.compartment.<realm>..<unique id>`` and
``ocid1.tenancy.<realm>..<unique id>``, the realm ``oc1``, ``oc2``, ..., the unique id lower-case
letters and digits. The signed call finds out whether the compartment exists and may be used.
"""

from __future__ import annotations

import re

__all__ = ["compartment_problem"]

_KINDS = ("compartment", "tenancy")
_WHOLE = re.compile(r"ocid1\.(compartment|tenancy)\.oc\d+\.\.[a-z0-9]+")
_EXPECTED = "ocid1.compartment.oc1..<unique id>"


def compartment_problem(value: str) -> str | None:
    """``None`` when ``value`` looks like a compartment or tenancy OCID, else what is wrong."""
    if value != value.strip():
        return f"{value!r} has white space around it: pass the OCID alone"
    parts = value.split(".")
    if parts[0] != "ocid1" or len(parts) < 2:
        return f"{value!r} is not an OCID: pass the compartment's OCID ({_EXPECTED}), not its name"
    kind = parts[1]
    if kind not in _KINDS:
        return (
            f"{value} is a {kind or 'malformed'} OCID, not a compartment or tenancy OCID: pass "
            f"the compartment's OCID ({_EXPECTED}), or the tenancy's for the root compartment"
        )
    if _WHOLE.fullmatch(value):
        return None
    placeholder = " (it ends in a placeholder)" if value.endswith(("...", "…")) else ""
    return (
        f"{value!r} is not a whole {kind} OCID{placeholder}: expected "
        f"ocid1.{kind}.<realm>..<unique id>, e.g. ocid1.{kind}.oc1..aaaaaaaa<letters and digits>"
    )
