"""Durable agent runs on Temporal (extra ``locus-oci[temporal]``).

An agent run becomes a Temporal workflow that runs the agent's own loop; each model
call and each tool call is an activity executed by a worker that holds the real agent
(so no client, key or header enters the workflow's history). A run survives the death
of its worker: another worker replays the history and goes on, without calling the
model or the tools again for what is done. A call that needs approval waits for a
decision (``DurableRun.approve``/``deny``) with no process held.

::

    client = await temporalio.client.Client.connect("localhost:7233")
    result = await run(client, "myapp.agents:support", "Hello", task_queue="agents")

and, on any number of machines, ``locus worker --task-queue agents myapp.agents:support``.
A run's ``deps=`` is a JSON value (it is in Temporal's history: no secrets) that each
worker turns into what tools see (``create_worker(..., deps=factory_or_object)``).
See ``docs/durable.md``.
"""

try:
    from locus.durable.temporal._client import DurableRun, run, start_run
    from locus.durable.temporal._worker import create_worker
except ModuleNotFoundError as exc:
    from locus._extras import missing_extra

    raise missing_extra(
        exc, "durable runs on Temporal", "temporal", frozenset({"temporalio"})
    ) from exc

__all__ = ["DurableRun", "create_worker", "run", "start_run"]
