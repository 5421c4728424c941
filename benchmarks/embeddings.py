"""Embedding throughput: 10,000 texts through ``embedText`` on the emulator, three ways.

- ``locus``: one ``OCIEmbeddingModel.embed(texts)`` call (batches of 96, ``concurrency`` in
  flight, vectors as ``array('f')``);
- ``raw``: the same batches by hand: signed with our ``RequestSigner``, posted with a bare
  ``httpx.AsyncClient`` under the same concurrency, decoded with ``json.loads`` (the floor
  of what an async client can do);
- ``sdk``: the official ``oci`` SDK's ``embed_text`` on the same batches in a thread pool of
  ``threads`` (the route users take today), one client per thread.

The emulator runs in its own process (``python -m benchmarks.embeddings``), with
``latency`` seconds before each answer (0.1 by default: a network round trip and the
model's time; 0 makes it a CPU race, where decoding 96 x 1,536 JSON floats per answer,
about 56 ms, bounds every client). ``python -m benchmarks.embeddings [COUNT [LATENCY]]``
prints the figures as JSON. Figures are texts per second, and
``speedup``, Locus over the SDK. The target is ``speedup`` >= 3.
"""

from __future__ import annotations

import asyncio
import configparser
import json
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from locus.models.providers.oci import OCIAuthType, OCIEmbeddingModel
from locus.models.providers.oci.signer import RequestSigner, load_private_key

__all__ = ["main", "measure"]

MODEL = "cohere.embed-v4.0"
BATCH = 96


def texts(count: int) -> list[str]:
    """``count`` distinct short texts, like the passages of a document collection."""
    return [
        f"Passage {i}: the {('north', 'south', 'east', 'west')[i % 4]} office reports "
        f"{i % 97} incidents and {i % 13} open tickets for week {i % 52}."
        for i in range(count)
    ]


def _batches(items: list[str]) -> list[list[str]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


def _body(info: dict[str, Any], batch: list[str]) -> dict[str, Any]:
    return {
        "inputs": batch,
        "servingMode": {"servingType": "ON_DEMAND", "modelId": MODEL},
        "compartmentId": info["compartment_id"],
        "inputType": "SEARCH_DOCUMENT",
    }


async def _locus(info: dict[str, Any], items: list[str], concurrency: int) -> float:
    model = OCIEmbeddingModel(
        MODEL,
        compartment_id=info["compartment_id"],
        profile_name=info["profile"],
        config_file=info["config_file"],
        auth_type=OCIAuthType.API_KEY,
        service_endpoint=info["service_endpoint"],
        max_concurrency=concurrency,
    )
    try:
        await model.embed(items[:BATCH])  # warm: config, key, connections
        start = time.perf_counter()
        result = await model.embed(items)
        elapsed = time.perf_counter() - start
    finally:
        await model.aclose()
    if len(result) != len(items):
        raise RuntimeError("locus returned the wrong number of vectors")
    return elapsed


async def _raw(info: dict[str, Any], items: list[str], concurrency: int) -> float:
    url = f"{info['service_endpoint']}/20231130/actions/embedText"
    parts = urlsplit(url)
    config = configparser.ConfigParser(interpolation=None)
    config.read(info["config_file"])
    section = config[info["profile"]]
    key_id = f"{section['tenancy']}/{section['user']}/{section['fingerprint']}"
    signer = RequestSigner(key_id, load_private_key(Path(section["key_file"])))
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency)

    async def one(client: httpx.AsyncClient, batch: list[str]) -> int:
        body = json.dumps(_body(info, batch)).encode()
        headers = signer.sign("POST", parts.path, parts.netloc, body)
        headers["opc-request-id"] = secrets.token_hex(16).upper()
        async with gate:
            response = await client.post(url, content=body, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"raw embedText failed with HTTP {response.status_code}")
        return len(json.loads(response.content)["embeddings"])

    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        await one(client, items[:BATCH])
        start = time.perf_counter()
        counts = await asyncio.gather(*(one(client, b) for b in _batches(items)))
        elapsed = time.perf_counter() - start
    if sum(counts) != len(items):
        raise RuntimeError("raw returned the wrong number of vectors")
    return elapsed


def _sdk(info: dict[str, Any], items: list[str], threads: int) -> float:
    import oci

    models = oci.generative_ai_inference.models
    config = oci.config.from_file(info["config_file"], info["profile"])
    local = threading.local()
    clients: list[Any] = []
    lock = threading.Lock()

    def client() -> Any:
        if not hasattr(local, "client"):
            local.client = oci.generative_ai_inference.GenerativeAiInferenceClient(
                config, service_endpoint=info["service_endpoint"]
            )
            with lock:
                clients.append(local.client)
        return local.client

    def one(batch: list[str]) -> int:
        details = models.EmbedTextDetails(
            inputs=batch,
            serving_mode=models.OnDemandServingMode(model_id=MODEL),
            compartment_id=info["compartment_id"],
            input_type="SEARCH_DOCUMENT",
        )
        return len(client().embed_text(details).data.embeddings)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, [items[:BATCH]] * threads))  # warm: one client per thread
        start = time.perf_counter()
        counts = list(pool.map(one, _batches(items)))
        elapsed = time.perf_counter() - start
    for made in clients:
        made.base_client.session.close()
    if sum(counts) != len(items):
        raise RuntimeError("the SDK returned the wrong number of vectors")
    return elapsed


def measure(
    info: dict[str, Any], *, count: int = 10_000, concurrency: int = 8, threads: int = 8
) -> dict[str, Any]:
    """Texts per second for ``locus``, ``raw`` and ``sdk``, and ``speedup`` (locus / sdk).

    ``info`` is the emulator's ``emulator.json`` (``benchmarks._emulator_proc``).
    """
    items = texts(count)
    locus_s = asyncio.run(_locus(info, items, concurrency))
    raw_s = asyncio.run(_raw(info, items, concurrency))
    sdk_s = _sdk(info, items, threads)
    return {
        "texts": count,
        "locus_per_s": round(count / locus_s),
        "raw_per_s": round(count / raw_s),
        "sdk_per_s": round(count / sdk_s),
        "speedup": round(sdk_s / locus_s, 2),
        "locus_over_raw": round(raw_s / locus_s, 2),
    }


def main(count: int = 10_000, latency: float = 0.1) -> dict[str, Any]:
    """Start the emulator in its own process and ``measure`` (what ``__main__`` does)."""
    from benchmarks._emulator_proc import configure, emulator_process

    with emulator_process() as info:
        if latency:
            configure(info, latency=latency)
        return measure(info, count=count)


if __name__ == "__main__":
    import sys

    arguments = sys.argv[1:3]
    count = int(arguments[0]) if arguments else 10_000
    latency = float(arguments[1]) if len(arguments) > 1 else 0.1
    print(json.dumps(main(count, latency), indent=2))
