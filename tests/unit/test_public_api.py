"""The public API of every public package and module, pinned in one place.

A module is public when no part of its dotted name starts with ``_``. Every public
module must be listed here with its ``__all__``: adding a public name, or a module
that is not underscored, is a deliberate change to this file.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import locus

ERRORS = {
    "APIStatusError",
    "AlreadyResumedError",
    "GuardrailTripped",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ConnectError",
    "CredentialsError",
    "FallbackError",
    "LocusError",
    "ModelError",
    "ModelTimeoutError",
    "NotFoundError",
    "OutputValidationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseError",
    "RunCancelledError",
    "RunError",
    "SerializationError",
    "ServerError",
    "StoreError",
    "StoreUnavailableError",
    "StreamError",
    "ThreadConflictError",
    "ToolArgumentsError",
    "ToolError",
    "ToolExecutionError",
    "ToolTimeoutError",
    "TransportError",
    "UnknownToolError",
    "UsageLimitError",
}

SURFACE: dict[str, set[str]] = {
    "locus": {"Agent", "AgentResult", "Message", "ToolCall", "__version__", "get_model", "tool"},
    "locus.cli": {"main"},
    # the vocabulary: its modules are public, and the package re-exports the error tree
    "locus.core": ERRORS
    | {
        "Citation",
        "ImagePart",
        "Message",
        "Model",
        "ModelResponse",
        "StopReason",
        "StreamEvent",
        "ToolCall",
        "ToolSpec",
        "Usage",
    },
    "locus.core.citations": {"Citation", "CitationQuality", "Document"},
    "locus.core.errors": ERRORS,
    "locus.core.messages": {
        "ImagePart",
        "Message",
        "Role",
        "ToolCall",
        "dump_messages",
        "load_messages",
    },
    "locus.core.model": {"Model"},
    "locus.core.params": {"GenerationParams", "ResponseFormat", "ToolChoice"},
    "locus.core.response": {"ModelResponse", "StopReason", "StreamEvent"},
    "locus.core.toolspec": {"HasToolSpec", "ToolSpec", "as_tool_specs"},
    "locus.core.usage": {"Usage"},
    "locus.agent": {
        "Agent",
        "AgentResult",
        "Approve",
        "Deny",
        "Handoff",
        "HandoffHistory",
        "HistoryProcessor",
        "Hook",
        "InMemoryThreadStore",
        "IterationEnded",
        "IterationStarted",
        "Metrics",
        "ModelRequest",
        "ModelRetry",
        "ModelTextDelta",
        "OutputDelta",
        "OutputMode",
        "OutputValidator",
        "PendingCall",
        "Prompt",
        "ReasoningDelta",
        "RunContext",
        "RunEvent",
        "RunFinished",
        "RunState",
        "RunStopReason",
        "SubAgentEvent",
        "ThreadStore",
        "ToolCallFinished",
        "ToolCallStarted",
        "ToolResult",
        "keep_last_turns",
        "within_token_budget",
    },
    "locus.tools": {
        "DEFAULT_MAX_RESULT_CHARS",
        "Tool",
        "ToolDefinitionWarning",
        "ToolExecutor",
        "ToolOutcome",
        "Toolset",
        "abandoned_tool_calls",
        "as_tools",
        "tool",
    },
    "locus.tools.decorator": {"Tool", "tool"},  # the seed imports tool from here
    "locus.stores": {
        "InMemoryThreadStore",
        "PostgresThreadStore",
        "SQLiteThreadStore",
        "ThreadStore",
        "open_thread_store",
    },
    "locus.toolcalls": {
        "PREFILLED_THINK",
        "ParseProblem",
        "ParsedText",
        "ReasoningText",
        "StreamItem",
        "TOOL_CALL_FORMATS",
        "ToolCallStreamParser",
        "parse_tool_calls",
    },
    "locus.a2a": {
        "A2AError",
        "AgentCard",
        "AgentCardError",
        "InputRequiredError",
        "RemoteAgent",
        "RemoteAnswer",
        "RemoteRPCError",
        "RemoteStream",
        "RemoteTaskError",
        "Skill",
    },
    "locus.evals": {
        "Case",
        "CaseChange",
        "CaseReport",
        "CaseStatus",
        "Contains",
        "Dataset",
        "Equals",
        "ErrorRecord",
        "EvaluationReport",
        "EvalTask",
        "EvaluationResult",
        "Evaluator",
        "EvaluatorContext",
        "EvaluatorFunction",
        "EvaluatorOutcome",
        "EvaluatorReturn",
        "Grade",
        "IsInstance",
        "LLMJudge",
        "MatchesRegex",
        "MaxDuration",
        "MaxTokens",
        "ReportDiff",
        "ReportSummary",
        "ToolCalled",
        "ValueChange",
    },
    "locus.testing": {
        "AnswerFunction",
        "FunctionModel",
        "ModelRequest",
        "ScriptedModel",
        "ScriptedTurn",
        "TestModelBase",
        "Turn",
        "create_model",
        "echo",
    },
    "locus.models": {
        "FallbackModel",
        "ModelFactory",
        "get_embedding_model",
        "get_model",
        "get_rerank_model",
        "list_providers",
        "register_provider",
    },
    "locus.models.fallback": {"FALL_BACK_ON", "FallbackModel"},
    "locus.models.registry": {
        "ModelFactory",
        "get_embedding_model",
        "get_model",
        "get_rerank_model",
        "list_providers",
        "register_provider",
    },
    "locus.models.http": {
        "BODY_SOURCE",
        "BodySource",
        "HTTPChatModel",
        "ModelOptions",
        "RetryPolicy",
    },
    "locus.models.http.aiohttp_transport": {"AiohttpTransport"},
    "locus.models.openai_compatible": {
        "OpenAICompatibleModel",
        "OpenAICompatibleOptions",
        "create_model",
    },
    "locus.models.providers": set(),
    "locus.guardrails": {
        "BlockPolicy",
        "CategoryScore",
        "ErrorPolicy",
        "GuardrailsResult",
        "OCIGuardrailTripped",
        "OCIGuardrails",
        "OCIGuardrailsHook",
        "OCIGuardrailsOptions",
        "PiiEntity",
        "oci_guardrails",
    },
    "locus.telemetry": {"CAPTURE_CONTENT_ENV", "instrument", "is_instrumented", "uninstrument"},
    "locus.mcp": {
        "MCPApprovalRule",
        "MCPConnectionError",
        "MCPServerHTTP",
        "MCPServerSSE",
        "MCPServerStdio",
        "MCPToolset",
    },
    "locus.retrieval": {
        "Document",
        "Embedder",
        "InMemoryVectorStore",
        "PgVectorStore",
        "Ranked",
        "Reranker",
        "Retriever",
        "SQLiteVecStore",
        "VectorStore",
        "retrieval_tool",
    },
    "locus.models.providers.oci": {
        "ApiFormat",
        "EmbeddingBatchError",
        "Embeddings",
        "OCIAuthType",
        "OCIChatCompletionsModel",
        "OCIEmbeddingModel",
        "OCIModel",
        "OCIRerankModel",
        "RankedDocument",
        "create_embedding_model",
        "create_model",
        "create_rerank_model",
    },
    "locus.models.providers.oci.auth": {
        "OCIAuthType",
        "build_auth",
        "default_auth_type",
        "parse_auth_type",
    },
    "locus.models.providers.oci.config": {
        "OCIProfile",
        "load_profile",
        "resolve_config_path",
        "resolve_profile_name",
    },
    "locus.models.providers.oci.principals": {"PrincipalAuth", "principal_signer"},
    "locus.models.providers.oci.regions": {
        "inference_endpoint",
        "normalise_region",
        "realm_of",
        "region_of_endpoint",
    },
    "locus.models.providers.oci.signer": {
        "PendingSignature",
        "RequestSigner",
        "body_digest",
        "key_fingerprint",
        "load_private_key",
        "parse_private_key",
        "signing_string",
    },
    "locus.models.providers.oci.token": {
        "TokenTimes",
        "token_claims",
        "token_expiry",
        "token_from_authorization",
    },
    "locus.doctor": {"main"},
    "locus.serve": {"create_app"},
    "locus.chat": {"main"},
    "locus.durable": set(),
    "locus.durable.temporal": {"DurableRun", "create_worker", "run", "start_run"},
    "locus.emulator": {
        "Catalogue",
        "DEFAULT_REGION",
        "Emulator",
        "Endpoint",
        "FAULT_KINDS",
        "ModelEntry",
    },
    "locus.emulator.cli": {"build_parser", "main"},
    "locus.emulator.pytest_plugin": {"oci_emulator", "oci_emulator_fresh"},
}

# The emulator's own rooms: packages whose __init__ is the interface between them,
# not an API for users (their modules are all private).
EMULATOR_ROOMS = {
    "locus.emulator.auth",
    "locus.emulator.engines",
    "locus.emulator.routes",
    "locus.emulator.server",
    "locus.emulator.wire",
}


def _public_modules() -> set[str]:
    found = {"locus"}
    stack = ["locus"]
    while stack:
        package = importlib.import_module(stack.pop())
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            name = f"{package.__name__}.{info.name}"
            found.add(name)
            if info.ispkg:
                stack.append(name)
    return found


def test_every_public_module_is_pinned() -> None:
    unlisted = _public_modules() - set(SURFACE) - EMULATOR_ROOMS
    assert unlisted == set(), "underscore these modules or pin their __all__ here"


@pytest.mark.parametrize("module", sorted(SURFACE))
def test_all_is_pinned_and_importable(module: str) -> None:
    imported = importlib.import_module(module)
    assert set(imported.__all__) == SURFACE[module]
    missing = [name for name in imported.__all__ if not hasattr(imported, name)]
    assert missing == []


def test_the_top_level_package_is_lazy() -> None:
    assert locus.Agent is importlib.import_module("locus.agent").Agent
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = locus.Nope
