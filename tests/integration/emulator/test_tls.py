"""The emulator's throwaway CA and server certificate pass strict X.509 verification.

Python 3.13's default SSL context verifies with ``VERIFY_X509_STRICT`` (RFC 5280 rules
such as a required Authority Key Identifier); the flag is set here so every Python checks
the same thing.
"""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

from locus.emulator.auth._tls import write_server_tls
from tests.deadlines import within


async def test_a_strict_client_completes_the_handshake(tmp_path: Path) -> None:
    ca_file, cert_file, key_file = write_server_tls(tmp_path, "127.0.0.1")
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert_file, key_file)

    async def hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(hello, "127.0.0.1", 0, ssl=served)
    port = server.sockets[0].getsockname()[1]
    strict = ssl.create_default_context(cafile=str(ca_file))
    strict.verify_flags |= ssl.VERIFY_X509_STRICT
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=strict)
        assert await within(reader.read(), "the TLS server's hello") == b"hello"
        writer.close()
    finally:
        server.close()
        await within(server.wait_closed(), "the TLS server closed")
