"""The codecs' names are pinned, and the codec modules stay pure (no I/O imports)."""

from __future__ import annotations

import ast
from pathlib import Path

import locus.models._openai as openai_format
import locus.models._wire.sse as sse
import locus.models.providers.oci._formats as oci_formats

SRC = Path(__file__).resolve().parents[3] / "src" / "locus" / "models"
CODEC_FILES = [
    *sorted((SRC / "_wire").glob("*.py")),
    *sorted((SRC / "_openai").glob("*.py")),
    *sorted((SRC / "providers" / "oci" / "_formats").glob("*.py")),
]
IMPURE = {"httpx", "asyncio", "socket", "requests", "oci", "anyio", "logging"}


def test_public_names() -> None:
    assert set(oci_formats.__all__) == {
        "ApiFormat",
        "ChatStreamDecoder",
        "OCIChatCodec",
        "decode_chat_result",
        "encode_chat_details",
        "parse_api_format",
        "serving_mode",
        "simplify_schema",
    }
    assert set(openai_format.__all__) == {
        "OpenAIChatCodec",
        "OpenAIStreamDecoder",
        "decode_openai_chat",
        "encode_openai_chat",
    }
    assert set(sse.__all__) == {"DONE_SENTINEL", "SSEDecoder", "ServerSentEvent", "json_payload"}
    for module in (oci_formats, openai_format, sse):
        assert all(hasattr(module, name) for name in module.__all__)


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_codecs_do_no_io() -> None:
    assert len(CODEC_FILES) > 10
    for path in CODEC_FILES:
        assert not (_imported_roots(path) & IMPURE), path.name
