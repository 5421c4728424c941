"""A transport's direct line to a response body, past httpx's chunk iterators.

httpx hands a streamed body through four nested async iterators (decoding, byte
counting, the client's wrapper, the transport's stream), each a generator step per
chunk. A transport that can read its body directly puts a :class:`BodySource` in the
response's ``extensions`` under :data:`BODY_SOURCE`, and only for a body that is not
content-encoded (a source gives the bytes as they came off the wire). Readers that find
one read from it; everything else (closing the response, its errors, timeouts) stays
as it is.
"""

from __future__ import annotations

from typing import Protocol

import httpx

__all__ = ["BODY_SOURCE", "BodySource", "body_source"]

BODY_SOURCE = "locus.body_source"
"""The ``httpx.Response.extensions`` key of a response's :class:`BodySource`."""


class BodySource(Protocol):
    """The body of one response, read straight from its transport."""

    async def read_chunk(self) -> bytes:
        """The next bytes of the body as they arrive; ``b""`` at its end.

        Failures raise the ``httpx`` exception the transport maps them to.
        """
        ...

    def received_all(self) -> bool:
        """True once the whole body has arrived (reads no longer wait for the network)."""
        ...


def body_source(response: httpx.Response) -> BodySource | None:
    """The response's direct body source, if its transport gave one."""
    source: BodySource | None = response.extensions.get(BODY_SOURCE)
    return source
