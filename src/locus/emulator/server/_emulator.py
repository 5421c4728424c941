"""The in-process emulator: ``with Emulator() as emu:`` serves on a free loopback port."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from locus.emulator._catalogue import Catalogue, load_catalogue
from locus.emulator._faults import ALL_TARGETS
from locus.emulator._journal import Logged
from locus.emulator.auth import Principals
from locus.emulator.routes import Service
from locus.emulator.server._setup import build_service
from locus.emulator.server._state_dir import (
    TENANCY,
    Identity,
    describe,
    prepare_state_dir,
    write_info,
)
from locus.emulator.server._uvicorn import EmulatorServer, bind, url_of

__all__ = ["DEFAULT_REGION", "Emulator"]

DEFAULT_REGION = "us-chicago-1"
_START_TIMEOUT = 30.0
_NOT_STARTED = (
    "the emulator is not started: call emu.start() first, or use `with Emulator() as emu:`"
)


class Emulator:
    """A local OCI Generative AI inference service on ``127.0.0.1``, run in a background thread.

    ``state_dir=None`` uses a temporary directory removed on exit. ``catalogue`` is a
    file path (JSON or YAML) or a :class:`Catalogue`. ``rules`` is a rules file,
    ``backend`` an OpenAI-compatible base URL to forward to, ``latency`` seconds before
    each answer.
    """

    def __init__(
        self,
        port: int = 0,
        state_dir: str | Path | None = None,
        catalogue: str | Path | Catalogue | None = None,
        region: str = DEFAULT_REGION,
        *,
        host: str = "127.0.0.1",
        rules: str | Path | None = None,
        backend: str | None = None,
        backend_model: str | None = None,
        backend_api_key: str | None = None,
        latency: float = 0.0,
        log_level: str = "warning",
    ) -> None:
        self.region = region
        self._host, self._port = host, port
        if isinstance(catalogue, Catalogue):
            self.catalogue = catalogue
        else:
            self.catalogue = load_catalogue(catalogue, region)
        self._temp = state_dir is None
        self._state_dir = None if state_dir is None else Path(state_dir)
        self._engine_options: dict[str, Any] = {
            "rules": rules,
            "backend": backend,
            "backend_model": backend_model,
            "backend_api_key": backend_api_key,
        }
        self._latency = latency
        self._log_level = log_level
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None
        self._stop_at_exit: Callable[[], None] | None = None
        self._service: Service | None = None
        self._identity: Identity | None = None
        self._url: str | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> Emulator:
        """Write the state directory, start serving, and write ``emulator.json``."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        identity = prepare_state_dir(self.state_dir, self.region)
        self._identity = identity
        self._service = build_service(
            identity, self.catalogue, latency=self._latency, **self._engine_options
        )
        sock = bind(self._host, self._port)
        self._url = url_of(sock)
        started = threading.Event()
        self._server = EmulatorServer(self._service, self._log_level, on_started=started.set)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="locus-emulator", daemon=True
        )
        self._thread.start()
        # an emulator never stopped (a module's ``Emulator().start()``) stops at the
        # process's exit, before the interpreter is torn down under its running server (not
        # when the object is collected: a server started and let go of serves on)
        self._stop_at_exit = functools.partial(_stop_server, self._server, self._thread)
        atexit.register(self._stop_at_exit)
        self._wait_until(started)
        write_info(self.state_dir, self.info)

    def _wait_until(self, started: threading.Event) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while not started.wait(0.02):
            if self._thread is None or not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start listening")

    def stop(self) -> None:
        """Stop serving and remove a temporary state directory."""
        if self._service is not None and self._service.principals is not None:
            self._service.principals.close()
        if self._stop_at_exit is not None:
            atexit.unregister(self._stop_at_exit)
            self._stop_at_exit()  # stops the server and waits for its thread
        self._stop_at_exit = None
        self._server = self._thread = None
        if self._temp and self._state_dir is not None:
            self._remove_temp()

    @property
    def state_dir(self) -> Path:
        """The state directory (a temporary one is made when first needed: an emulator
        built and never started leaves nothing behind)."""
        if self._state_dir is None:
            made = Path(tempfile.mkdtemp(prefix="locus-emu-"))
            # removed by stop(), or when this emulator is collected or the process exits
            # without stop() (its key must not stay behind in /tmp)
            self._remove_temp = weakref.finalize(self, shutil.rmtree, made, ignore_errors=True)
            self._state_dir = made
        return self._state_dir

    # -- what clients need -----------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT`` (an error before :meth:`start`)."""
        if self._url is None:
            raise RuntimeError(_NOT_STARTED)
        return self._url

    @property
    def service_endpoint(self) -> str:
        """The base URL a client passes as ``service_endpoint`` (no ``/20231130``)."""
        return self.url

    @property
    def compartment_id(self) -> str:
        """The compartment OCID the emulator authorizes."""
        return self._identity_or_fail().compartment_id

    @property
    def config_file(self) -> str:
        """Path of the OCI config file written in the state directory."""
        return str(self._identity_or_fail().config_file)

    @property
    def profile(self) -> str:
        """The config profile to use (``DEFAULT``)."""
        return self._identity_or_fail().profile

    @property
    def model_options(self) -> dict[str, str]:
        """The keywords a Locus model needs to reach this emulator:
        ``get_model("oci:<model or endpoint OCID>", **emu.model_options)``."""
        identity = self._identity_or_fail()
        return {
            "compartment_id": identity.compartment_id,
            "config_file": str(identity.config_file),
            "profile_name": identity.profile,
            "service_endpoint": self.url,
        }

    @property
    def api_key(self) -> str:
        """The bearer API key accepted on ``/openai/v1`` (also in ``<state_dir>/api_key``)."""
        return self._identity_or_fail().api_key

    @property
    def info(self) -> dict[str, Any]:
        """The ``emulator.json`` contract."""
        return describe(self.url, self._identity_or_fail(), self.catalogue)

    @property
    def principals(self) -> Principals:
        """The identity plane (IMDS, federation, principal and session tokens); its pieces
        stay off until switched on, e.g. ``emu.principals.enable_instance_principal(emu.url)``."""
        service = self._service_or_fail()
        if service.principals is None:
            identity = self._identity_or_fail()
            service.principals = Principals(
                tenancy=TENANCY,
                compartment=identity.compartment_id,
                region=identity.region,
                state_dir=self.state_dir,
                config_file=identity.config_file,
                keys=service.keys,
            )
        return service.principals

    def endpoint(self, style: str = "hermes") -> dict[str, str]:
        """The first DAC endpoint whose tool calls come back in ``style`` (one of ``native``,
        ``hermes``, ``qwen3_coder``, ``llama_json``, ``cohere``, ``glm``; another is a
        ``ValueError``)."""
        return self.catalogue.by_style(style).as_info()

    # -- run-time switches -----------------------------------------------------------------

    def set_faults(
        self,
        sequence: list[str] | tuple[str, ...] = (),
        *,
        rate: float = 0.0,
        kinds: list[str] | tuple[str, ...] = ("503",),
        seed: int | None = None,
        target: str = ALL_TARGETS,
    ) -> None:
        """Inject faults for ``target`` (an endpoint OCID, a model name, or ``*``)."""
        self._service_or_fail().faults.set(target, sequence, rate, kinds, seed)

    def clear_faults(self, target: str | None = None) -> None:
        """Remove the faults for ``target``, or all of them."""
        self._service_or_fail().faults.clear(target)

    def set_latency(self, latency: float | None = None, chunk_delay: float | None = None) -> None:
        """Seconds before each answer's first byte, and between stream events."""
        self.configure(latency=latency, chunk_delay=chunk_delay)

    def configure(self, **settings: Any) -> None:
        """Change run-time settings (``latency``, ``chunk_delay``, ``chunk_chars``, ``done_marker``,
        ``hold_open``, ``slow_first_byte``, and ``bad_json``/``bad_schema``: spoil the next N
        structured answers); None is skipped, an unknown name is an error."""
        values = {k: v for k, v in settings.items() if v is not None}
        self._service_or_fail().knobs.update(values)

    def reset(self) -> None:
        """Clear every fault and its count, and restore the default settings (keeps the
        configured latency)."""
        self._service_or_fail().reset()

    @property
    def fired_faults(self) -> dict[str, int]:
        """How many injected faults fired since the start (or the last :meth:`reset`), by
        kind: a fault counts once a response carried it out, e.g. ``{"503": 1}``."""
        return self._service_or_fail().faults.fired()

    @property
    def requests(self) -> list[Logged]:
        """The requests received since the start (or the last :meth:`reset`), oldest first:
        ``[r.operation for r in emu.requests]`` is e.g. ``["applyGuardrails", "chat"]``."""
        return self._service_or_fail().journal.entries()

    def set_guardrails(self, *, replace: bool = False, **words: Any) -> None:
        """Add to what ``applyGuardrails`` flags: ``harmful``, ``blocked`` and ``injections``
        (lists of words or phrases), ``pii`` (``{LABEL: regex}``); ``replace=True`` drops
        the defaults first. :meth:`reset` restores the defaults."""
        service = self._service_or_fail()
        service.guardrails = service.guardrails.updated({**words, "replace": replace})

    def _identity_or_fail(self) -> Identity:
        if self._identity is None:
            raise RuntimeError(_NOT_STARTED)
        return self._identity

    def _service_or_fail(self) -> Service:
        if self._service is None:
            raise RuntimeError(_NOT_STARTED)
        return self._service


def _stop_server(server: EmulatorServer, thread: threading.Thread) -> None:
    """Stop ``server`` and wait (10 s at most) for its thread."""
    server.should_exit = True
    thread.join(timeout=10)
