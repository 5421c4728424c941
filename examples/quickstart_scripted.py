"""A real agent run with no network: a scripted model calls one tool, then answers.

Run it with ``python examples/quickstart_scripted.py``.
"""

from __future__ import annotations

from locus.agent import Agent
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel
from locus.tools.decorator import tool


@tool(name="add_two_numbers")
def add_two_numbers(a: int, b: int) -> int:
    """Return the sum of two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return a + b


def main() -> None:
    agent = Agent(
        # Turn 1: the "model" calls the tool (arguments as a model sends them: "35" is
        # coerced to 35 by the tool's schema). Turn 2: it answers in one sentence.
        model=ScriptedModel(
            [
                ToolCall("call_1", "add_two_numbers", {"a": 7, "b": "35"}),
                "7 plus 35 is 42.",
            ],
            model_id="scripted-demo",
        ),
        tools=[add_two_numbers],
        system_prompt="You can call add_two_numbers when asked to add. Reply briefly.",
        max_iterations=4,
    )
    result = agent.run_sync("Use the add_two_numbers tool to add 7 and 35.")
    print(f"underlying model class: {type(agent._model).__name__}")
    print(f"tool schema: {add_two_numbers.spec.parameters}")
    tool_results = [m.text for m in result.messages if m.role == "tool"]
    print(f"tool results the model saw: {tool_results}")
    print(f"final message: {result.message}")
    print(f"stop reason: {result.stop_reason}")
    print(f"iterations: {result.metrics.iterations}")
    print(f"locus tool calls: {result.metrics.tool_calls}")
    print(f"tokens: {result.usage}")
    print(f"duration: {result.metrics.duration_ms:.2f} ms")


if __name__ == "__main__":
    main()
