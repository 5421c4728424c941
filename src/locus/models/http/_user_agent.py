"""The ``User-Agent`` a model's own HTTP client sends, so that a service's logs (and OCI
support, reading them) can tell Locus's traffic and its version from other clients'.

The form is the ``oci`` SDK's (``Oracle-PythonSDK/2.189.0 (python 3.11.7; x86_64-Linux)``)
with Locus's distribution name: ``locus-oci/<version> (python <version>; <machine>-<system>)``.
``OCI_SDK_APPEND_USER_AGENT``, which the ``oci`` SDK appends to its own, is appended too, so
a deployment that tags its traffic that way tags Locus's calls as well, and so is an OCI
profile's ``additional_user_agent`` (before it, as the SDK orders them; that one is sent on
the requests of the models that use the profile). A client given to a model
(``http_client=``) keeps its own ``User-Agent`` unless the profile names an addition.
"""

from __future__ import annotations

import os
from functools import cache

from locus import __version__

__all__ = ["APPEND_ENV", "CLIENT_INFO", "user_agent"]

APPEND_ENV = "OCI_SDK_APPEND_USER_AGENT"
"""The variable whose value is appended to the ``User-Agent`` (as the ``oci`` SDK does)."""


CLIENT_INFO = f"locus-oci/{__version__}"
"""``locus-oci/<version>``: the product token, also sent as OCI's ``opc-client-info``."""


def user_agent(additional: str | None = None) -> str:
    """``locus-oci/<version> (python <x.y.z>; <machine>-<system>)``, then ``additional``
    (an OCI profile's ``additional_user_agent``) and the value of
    ``OCI_SDK_APPEND_USER_AGENT`` when they are set (the variable is read at each call)."""
    parts = [_base(), (additional or "").strip(), os.environ.get(APPEND_ENV, "").strip()]
    return " ".join(part for part in parts if part)


@cache
def _base() -> str:
    import platform  # (once: a few milliseconds of import a run never needs)

    python, machine, system = platform.python_version(), platform.machine(), platform.system()
    return f"{CLIENT_INFO} (python {python}; {machine}-{system})"
