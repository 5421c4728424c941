"""``locus chat``'s renderer on real runs: tool calls, and a sub-agent's tool calls indented
under the calling one with the sub-agent's name (agents on ``FunctionModel``s)."""

from __future__ import annotations

import io

from locus.agent import Agent
from locus.chat._render import Renderer
from tests.unit.serve.test_agui_subagents import calls_then_says, clerk, manager


async def render(agent: Agent, prompt: str) -> str:
    out = io.StringIO()
    renderer = Renderer(out, structured=False)
    async for event in agent.run(prompt):
        renderer.show(event)
    renderer.end()
    return out.getvalue()


async def test_a_sub_agents_tool_calls_print_indented_under_the_calling_call() -> None:
    assert await render(manager(clerk()), "pens?") == (
        '  ⚙ clerk(input="how many pens?")\n'
        '      ⚙ clerk › stock(item="pens")\n'
        "        → 12\n"
        "    → Pens: 12\n"
        "Clerk says Pens: 12\n"
    )


async def test_each_level_of_nesting_indents_once_more() -> None:
    middle_model = calls_then_says("clerk", {"input": "count pens"}, "Middle: ")
    middle = Agent(middle_model, tools=[clerk().as_tool()], name="middle")
    top = Agent(calls_then_says("middle", {"input": "ask"}, "Top: "), tools=[middle.as_tool()])
    assert await render(top, "go") == (
        '  ⚙ middle(input="ask")\n'
        '      ⚙ middle › clerk(input="count pens")\n'
        '          ⚙ clerk › stock(item="pens")\n'
        "            → 12\n"
        "        → Pens: 12\n"
        "    → Middle: Pens: 12\n"
        "Top: Middle: Pens: 12\n"
    )
