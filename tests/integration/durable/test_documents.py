"""A durable run's ``documents=`` (``start_run``/``run``), on a real Temporal dev server:
they ground each of its model calls, as ``agent.arun(documents=...)`` does, and the final
answer's citations come back on the result; bad documents are refused before the run
starts."""

from __future__ import annotations

import uuid

import pytest
from temporalio.client import Client

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.durable.temporal import create_worker, run
from tests.deadlines import within
from tests.unit.agent.test_run_documents import DOCS, QuotingModel


async def test_a_durable_runs_documents_ground_its_model_calls(client: Client) -> None:
    model = QuotingModel()
    agent = Agent(model, name="quoter")
    plain = await agent.arun("Which penguins are the tallest?", documents=DOCS)
    queue, spec = f"q-{uuid.uuid4().hex[:8]}", f"tests.durable_documents:{uuid.uuid4().hex[:8]}"
    async with create_worker(client, task_queue=queue, agents={spec: agent}):
        durable = await within(
            run(client, spec, "Which penguins are the tallest?", task_queue=queue, documents=DOCS),
            "the durable run's result",
        )
    # the plain run's call, then the durable run's (its kwargs crossed the activity as JSON)
    assert [list(documents) for documents in model.documents] == [DOCS, DOCS]
    assert durable.message == plain.message
    assert durable.citations == plain.citations and len(durable.citations) == 1


async def test_documents_that_are_not_a_list_of_dicts_are_refused_before_the_run(
    client: Client,
) -> None:
    with pytest.raises(ConfigurationError, match="list of dicts"):
        await run(client, "tests.nobody:agent", "Hi.", task_queue="q-none", documents="text")
