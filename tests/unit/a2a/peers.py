"""Real A2A servers on loopback for the client's tests: an agent built with the official
``a2a-sdk`` (its request handler and Starlette routes, the independent peer), and
``locus serve``'s app, each run by uvicorn in a thread of its own on a free port."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from typing import Any

import uvicorn
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
from a2a.types import (
    AgentCapabilities,
    AgentCard,
    AgentInterface,
    AgentSkill,
    Message,
    Part,
    Role,
    Task,
    TaskState,
    TaskStatus,
)
from google.protobuf.struct_pb2 import Value
from starlette.applications import Starlette

__all__ = ["ServerThread", "TownExecutor", "sdk_app"]


class ServerThread:
    """Serves the app ``make(url)`` builds on 127.0.0.1 (a free port; ``url`` is its
    address) with uvicorn, in a thread with its own loop, until the ``with`` block ends."""

    def __init__(self, make: Callable[[str], Starlette]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(make(self.url), log_level="warning", lifespan="on", ws="none")
        self.server = _Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    def __enter__(self) -> ServerThread:
        self.thread.start()
        if not self.server.ready.wait(15):
            raise RuntimeError("the test server did not start within 15 s")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.sock.close()


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


class TownExecutor(AgentExecutor):
    """A small agent written with the SDK; what it does depends on the message:

    - ``fail ...``: the task fails, saying ``the weather service is down``;
    - ``reject ...``: the task is rejected, saying ``I only do weather``;
    - ``cancel``: the task is canceled, saying ``the forecaster left``;
    - ``login``: the task needs authorization, saying ``Sign in to the weather service``;
    - ``weather``: it asks which city (input-required); the reply to that task names
      the city and completes it: ``Sunny in <city>.``;
    - ``count``: ``message <n> of this context`` (n counts the context's messages);
    - ``data``: a data artifact ``{"temperature": 21}``;
    - ``hi``: a plain message (no task): ``Hello from the town agent.``;
    - anything else: ``echo: <text>``, as an artifact streamed in two chunks.
    """

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        text = context.get_user_input()
        assert context.task_id is not None and context.context_id is not None
        self.seen[context.context_id] = self.seen.get(context.context_id, 0) + 1
        if text == "hi":
            reply = Message(
                message_id="m-hi",
                role=Role.ROLE_AGENT,
                parts=[Part(text="Hello from the town agent.")],
            )
            reply.context_id = context.context_id
            await event_queue.enqueue_event(reply)
            return
        task = context.current_task
        if task is None:
            status = TaskStatus(state=TaskState.TASK_STATE_SUBMITTED)
            task = Task(id=context.task_id, context_id=context.context_id, status=status)
            await event_queue.enqueue_event(task)
        updater = TaskUpdater(event_queue, context.task_id, context.context_id)
        await updater.start_work()
        await self._answer(text, task, updater, context)

    async def _answer(
        self, text: str, task: Task, updater: TaskUpdater, context: RequestContext
    ) -> None:
        def said(words: str) -> Message:
            return updater.new_agent_message([Part(text=words)])

        if task.status.state == TaskState.TASK_STATE_INPUT_REQUIRED:
            await updater.add_artifact([Part(text=f"Sunny in {text}.")], name="answer")
            await updater.complete()
        elif text.startswith("fail"):
            await updater.failed(said("the weather service is down"))
        elif text.startswith("reject"):
            await updater.reject(said("I only do weather"))
        elif text == "cancel":
            await updater.cancel(said("the forecaster left"))
        elif text == "login":
            await updater.requires_auth(said("Sign in to the weather service"))
        elif text == "weather":
            await updater.requires_input(said("Which city?"))
        elif text == "count":
            seen = self.seen[context.context_id or ""]
            await updater.add_artifact([Part(text=f"message {seen} of this context")])
            await updater.complete()
        elif text == "data":
            value = Value()
            value.struct_value.update({"temperature": 21})
            await updater.add_artifact([Part(data=value)], name="reading")
            await updater.complete()
        else:
            await updater.add_artifact([Part(text="echo: ")], artifact_id="a1", name="answer")
            await asyncio.sleep(0)
            await updater.add_artifact(
                [Part(text=text)], artifact_id="a1", append=True, last_chunk=True
            )
            await updater.complete()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        raise NotImplementedError("the town agent's tasks end at once")


def sdk_app(
    url: str,
    executor: AgentExecutor | None = None,
    *,
    handler_type: type[DefaultRequestHandler] = DefaultRequestHandler,
    **card: Any,
) -> Starlette:
    """The SDK's A2A app for ``executor`` (a ``TownExecutor`` by default) at ``url``: its
    card at the well-known path, its JSON-RPC endpoint at ``/rpc`` (served by a
    ``handler_type``); ``card`` replaces fields of the card."""
    agent_card = AgentCard(
        name=card.pop("name", "Town weather"),
        description=card.pop("description", "Tells the weather of a town."),
        version="1.0.0",
        supported_interfaces=card.pop(
            "interfaces",
            [AgentInterface(url=f"{url}/rpc", protocol_binding="JSONRPC", protocol_version="1.0")],
        ),
        capabilities=AgentCapabilities(streaming=True),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain", "application/json"],
        skills=[
            AgentSkill(
                id="weather", name="weather", description="The weather of a town.", tags=["weather"]
            )
        ],
    )
    handler = handler_type(executor or TownExecutor(), InMemoryTaskStore(), agent_card)
    routes = [*create_agent_card_routes(agent_card), *create_jsonrpc_routes(handler, "/rpc")]
    return Starlette(routes=routes)
