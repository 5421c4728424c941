"""The agents the durable tests' workers serve (``locus worker ... module:agent``).

They run on the emulator over real HTTP, signed with its API key; the worker finds the
emulator's settings as JSON in ``LOCUS_EMU``. Every tool appends a line to the file
``LOCUS_TOOL_LOG`` when it runs, so a test counts the runs of each tool across
processes. ``confirm`` (and the teller's ``hold``) waits until the file ``LOCUS_RELEASE``
exists: a worker can be killed while it waits. The ``shop_*`` agents use an MCP server's
tools (``mcp_server.py``, over stdio or at ``LOCUS_MCP_URL``), which log and wait the same
way.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

from locus.agent import Agent, RunContext
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.mcp import MCPApprovalRule, MCPServerHTTP, MCPServerStdio
from locus.models.http import RetryPolicy
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.testing import FunctionModel
from locus.tools import tool
from tests.deadlines import wait_until


def _log(line: str) -> None:
    with open(os.environ["LOCUS_TOOL_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{line} {os.getpid()}\n")


async def _released() -> None:
    """Until the file ``LOCUS_RELEASE`` exists (the tool fails after 90 s: a test that never
    creates it fails, not hangs)."""
    release = Path(os.environ["LOCUS_RELEASE"])
    await wait_until(release.exists, f"{release} was created", 90)


@tool
def lookup(city: str) -> str:
    """Look up hotels in a city."""
    _log(f"lookup {city}")
    return f"3 hotels in {city}"


@tool
async def confirm(what: str) -> str:
    """Confirm a booking."""
    _log(f"confirm-started {what}")
    await _released()
    _log(f"confirm-done {what}")
    return f"confirmed {what}"


@tool(requires_approval=True)
def pay(to: str, amount: int) -> str:
    """Pay someone an amount of euros."""
    _log(f"pay {to} {amount}")
    return f"paid {amount} euros to {to}"


def model(**options: Any) -> OCIModel:
    emu = json.loads(os.environ["LOCUS_EMU"])
    return OCIModel(
        "meta.llama-3.3-70b-instruct",
        service_endpoint=emu["endpoint"],
        compartment_id=emu["compartment"],
        config_file=emu["config_file"],
        profile_name=emu["profile"],
        auth_type=OCIAuthType.API_KEY,
        **options,
    )


def trip() -> Agent:
    """``tests.integration.durable.agents:trip`` (a factory: the worker calls it once)."""
    return Agent(model(), tools=[lookup, confirm, pay], name="planner")


# -- agents with an MCP server (tests/integration/durable/mcp_server.py) ----------------------

MCP_SERVER = str(Path(__file__).with_name("mcp_server.py"))
SHOWN = {"prefix": "wh_", "exclude": ["hidden"]}
"""The MCP server's tools are offered as ``wh_<name>``, without ``hidden``."""


def stdio_server(requires_approval: MCPApprovalRule = False) -> MCPServerStdio:
    """The test MCP server as the worker's subprocess; ``LOCUS_MCP_SECRET`` goes to it in its
    environment (a secret the history must not show)."""
    names = ("LOCUS_TOOL_LOG", "LOCUS_RELEASE", "LOCUS_MCP_SECRET")
    env = {name: os.environ[name] for name in names if name in os.environ}
    return MCPServerStdio(
        sys.executable,
        [MCP_SERVER, "stdio"],
        env,
        requires_approval=requires_approval,
        **SHOWN,  # type: ignore[arg-type]
    )


def http_server() -> MCPServerHTTP:
    """The test MCP server at ``LOCUS_MCP_URL``, with the bearer token it checks."""
    headers = {"Authorization": f"Bearer {os.environ['LOCUS_MCP_TOKEN']}"}
    return MCPServerHTTP(os.environ["LOCUS_MCP_URL"], headers, **SHOWN)  # type: ignore[arg-type]


def quick_model() -> OCIModel:
    """The model, retrying twice with short waits: a run that cannot list its MCP tools
    fails within seconds (Temporal retries with the model's policy)."""
    return model(retry_policy=RetryPolicy(max_retries=2, base_delay=0.1, max_delay=0.2))


def shop_stdio() -> Agent:
    return Agent(quick_model(), tools=[stdio_server()], name="shop")


def shop_http() -> Agent:
    return Agent(quick_model(), tools=[http_server()], name="shop")


def many(call: ToolCall, ctx: RunContext[Any]) -> bool:
    """The approval rule of the gated shop: a person decides when ``wh_ship`` would ship
    more than 2 items (asked in the worker)."""
    return call.name == "wh_ship" and int(call.arguments.get("quantity", 0)) > 2


def shop_gated() -> Agent:
    return Agent(quick_model(), tools=[stdio_server(requires_approval=many)], name="shop")


# -- an agent that uses another as a tool (tests/integration/durable/data/desk_rules.json) ----


def clerk() -> Agent:
    """The trip agent's tools, as an agent the desk uses as a tool."""
    return Agent(model(), tools=[lookup, confirm, pay], name="clerk", description="A travel clerk.")


def desk() -> Agent:
    """``tests.integration.durable.agents:desk``: asks its clerk (``clerk.as_tool()``)."""
    return Agent(model(), tools=[clerk().as_tool()], name="desk")


def _pay_from(text: str, call_id: str) -> ToolCall:
    """``Pay <name> <amount> ...`` as a call of ``pay``."""
    words = text.split()
    return ToolCall(call_id, "pay", {"to": words[1], "amount": int(words[2])})


def _twin_clerk(messages: list[Message], tools: list[ToolSpec]) -> Any:
    """Pays as its task says, always as the call ``call_1``; then reports the result."""
    results = [m.text for m in messages if m.role == "tool"]
    if results:
        return f"Done: {results[0]}"
    task = next(m.text for m in messages if m.role == "user")
    return [_pay_from(task, "call_1")]


def _twin_desk(messages: list[Message], tools: list[ToolSpec]) -> Any:
    """Asks the clerk twice at once (calls ``call_1``, ``call_2``); then joins the results."""
    results = [m.text for m in messages if m.role == "tool"]
    if results:
        return "Done: " + "; ".join(results)
    tasks = ("Pay Ada 300 euros.", "Pay Bob 200 euros.")
    return [ToolCall(f"call_{i}", "clerk", {"input": t}) for i, t in enumerate(tasks, 1)]


def twins() -> Agent:
    """``tests.integration.durable.agents:twins``: a desk whose two parallel clerk runs both
    name their call of ``pay`` ``call_1`` (models choose ids; here they collide)."""
    clerk = Agent(FunctionModel(_twin_clerk), tools=[pay], name="clerk")
    return Agent(FunctionModel(_twin_desk), tools=[clerk.as_tool()], name="desk")


# -- an agent whose tools read the run's deps (test_deps.py) ----------------------------------


@dataclasses.dataclass(frozen=True)
class Account:
    """What the teller's tools see as ``ctx.deps``: the run's user, built by a worker."""

    user_id: str
    worker: int
    """The pid of the worker process that built it."""


def account_deps(value: Any) -> Account:
    """``locus worker --deps tests.integration.durable.agents:account_deps``: the run's JSON
    deps as an ``Account`` (each build is logged)."""
    _log(f"deps {value['user_id']}")
    return Account(str(value["user_id"]), os.getpid())


@tool
def balance(ctx: RunContext[Account]) -> str:
    """The balance of the run's user."""
    _log(f"balance {ctx.deps.user_id}")
    return f"{ctx.deps.user_id} has 40 euros"


@tool
async def hold(amount: int, ctx: RunContext[Account]) -> str:
    """Hold an amount of the run's user's euros (waits for ``LOCUS_RELEASE``, as confirm)."""
    _log(f"hold-started {ctx.deps.user_id} {amount}")
    await _released()
    _log(f"hold-done {ctx.deps.user_id} {amount} by {ctx.deps.worker}")
    return f"held {amount} euros for {ctx.deps.user_id}"


def _teller(messages: list[Message], tools: list[ToolSpec]) -> Any:
    """Asks for the balance, then holds 30 euros, then reports both results."""
    results = [m.text for m in messages if m.role == "tool"]
    if not results:
        return [ToolCall("t1", "balance", {})]
    if len(results) == 1:
        return [ToolCall("t2", "hold", {"amount": 30})]
    return "Done: " + "; ".join(results)


def teller() -> Agent:
    """``tests.integration.durable.agents:teller``: its tools need the run's ``Account``."""
    return Agent(FunctionModel(_teller), tools=[balance, hold], name="teller", deps_type=Account)
