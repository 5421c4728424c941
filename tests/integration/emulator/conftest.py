"""Close the official SDK's HTTP sessions after each test.

The ``oci`` SDK (vendored ``requests``) never closes its session by itself, and a streamed
response read through ``events()`` keeps its socket until garbage collection; with
warnings as errors that surfaces as a ``ResourceWarning`` in whichever later test happens
to trigger the collection. Closing the sessions and collecting here keeps it in this test.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator

import pytest

from ._helpers import OPEN_CLIENTS


@pytest.fixture(autouse=True)
def _close_sdk_clients() -> Iterator[None]:
    yield
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().base_client.session.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
