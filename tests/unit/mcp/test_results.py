"""MCP tool results as what a model reads, tool names made OCI-safe, and bad settings."""

from __future__ import annotations

import re

import mcp_types as types
import pytest

from locus.core.errors import ConfigurationError, ToolExecutionError
from locus.mcp import MCPServerHTTP, MCPServerStdio
from locus.mcp._results import result_value
from locus.mcp._tools import shown_name


def _result(*blocks: types.ContentBlock, **fields: object) -> types.CallToolResult:
    return types.CallToolResult(content=list(blocks), **fields)  # type: ignore[arg-type]


def test_text_blocks_are_joined() -> None:
    a = types.TextContent(type="text", text="one")
    b = types.TextContent(type="text", text="two")
    assert result_value(_result(a, b), "t", "s") == "one\ntwo"


def test_structured_content_wins_over_its_text_copy() -> None:
    text = types.TextContent(type="text", text='{"a": 1}')
    assert result_value(_result(text, structured_content={"a": 1}), "t", "s") == {"a": 1}


def test_binary_content_is_named_with_its_decoded_size() -> None:
    image = types.ImageContent(type="image", data="AAAA", mime_type="image/png")
    blob = types.BlobResourceContents(uri="file:///x.bin", blob="AAAAAA==", mime_type=None)
    resource = types.EmbeddedResource(type="resource", resource=blob)
    link = types.ResourceLink(type="resource_link", name="report", uri="file:///r.pdf")
    value = result_value(_result(image, resource, link), "t", "s")
    assert value == (
        "[image image/png, 3 bytes]\n[resource file:///x.bin, 4 bytes]\n"
        "[resource link report: file:///r.pdf]"
    )


def test_an_error_result_raises_a_tool_error_naming_tool_and_server() -> None:
    text = types.TextContent(type="text", text="no stock")
    with pytest.raises(ToolExecutionError, match="'count' of srv reported an error: no stock"):
        result_value(_result(text, is_error=True), "count", "srv")


@pytest.mark.parametrize(
    ("prefix", "name", "shown"),
    [
        ("", "search", "search"),
        ("crm_", "search", "crm_search"),
        ("", "files.read/all", "files_read_all"),
        ("", "3d-render", "t_3d-render"),
        ("", "météo", "meteo"),  # accents dropped, not each letter made '_'
        ("", "naïve café", "naive_cafe"),
        ("", "ｆｕｌｌ", "full"),  # full-width letters are letters
        ("crm_", "Ångström", "crm_Angstrom"),
    ],
)
def test_shown_names_are_oci_function_names(prefix: str, name: str, shown: str) -> None:
    assert shown_name(prefix, name) == shown


def test_names_in_other_scripts_stay_distinct_and_keep_what_they_can() -> None:
    names = ["天気", "東京", "погода", "🔥fire", "🌊fire", "x天"]
    shown = [shown_name("", name) for name in names]
    assert len(set(shown)) == len(names)  # before: '__', '__', '______', '_fire', '_fire', 'x_'
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,63}", name) for name in shown)
    assert shown[0].startswith("tool_") and shown[3].startswith("fire_")
    assert shown[5].startswith("x_") and shown_name("", "天気") == shown[0]


def test_long_names_are_cut_to_64_and_stay_distinct() -> None:
    one, two = shown_name("", "x" * 80 + "_one"), shown_name("", "x" * 80 + "_two")
    assert len(one) == len(two) == 64 and one != two  # cut at 64 they were one name before
    assert one.startswith("x" * 55 + "_") and shown_name("", "x" * 80 + "_one") == one


def test_bad_settings_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="list of arguments"):
        MCPServerStdio("server", "--flag")
    with pytest.raises(ConfigurationError, match="list of tool names"):
        MCPServerStdio("server", include="search")
    with pytest.raises(ConfigurationError, match="prefix"):
        MCPServerStdio("server", prefix="crm.")
    with pytest.raises(ConfigurationError, match="timeout"):
        MCPServerStdio("server", timeout=0)
    with pytest.raises(ConfigurationError, match="http"):
        MCPServerHTTP("ftp://example.com/mcp")


def test_secrets_stay_out_of_reprs_and_labels() -> None:
    server = MCPServerHTTP(
        "https://user:pw@crm.example.com:8443/mcp?key=k", headers={"Authorization": "Bearer t"}
    )
    shown = repr(server) + server.label
    assert "pw" not in shown and "key=k" not in shown and "Bearer" not in shown
    assert "https://crm.example.com:8443/mcp" in shown


def test_a_stdio_servers_arguments_never_show_in_its_label_or_repr() -> None:
    from locus.mcp import MCPServerStdio

    server = MCPServerStdio("sql", ["-mcp", "scott/s3cr3t-pass@db"])
    assert "s3cr3t" not in server.label and "s3cr3t" not in repr(server)
    assert "'sql'" in server.label and "2 arguments" in server.label
