"""Request ids and retry tokens: the right shape, never repeated, not shared with a fork."""

from __future__ import annotations

import os
import re
import select
import signal

from locus.models.providers.oci._ids import new_request_id, new_retry_token


def test_shapes_and_uniqueness_across_many_buffer_refills() -> None:
    tokens = [new_retry_token() for _ in range(2000)]  # about a dozen 4 KiB refills
    assert all(re.fullmatch(r"[A-Za-z0-9]{30}", token) for token in tokens)
    assert len(set(tokens)) == len(tokens)
    ids = [new_request_id() for _ in range(2000)]
    assert all(re.fullmatch(r"[0-9A-F]{32}", request_id) for request_id in ids)
    assert len(set(ids)) == len(ids)


def test_a_forked_child_draws_other_tokens_than_its_parent() -> None:
    new_retry_token()  # the parent has bytes buffered now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next tokens and leave at once
        os.close(read)
        os.write(write, " ".join(new_retry_token() for _ in range(3)).encode())
        os._exit(0)
    os.close(write)
    if not select.select([read], [], [], 30)[0]:  # (a child forked from threads may hang)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise AssertionError("the forked child did not report its tokens within 30 s")
    with os.fdopen(read) as pipe:
        child = pipe.read().split()
    os.waitpid(pid, 0)
    parent = [new_retry_token() for _ in range(3)]
    assert len(child) == 3 and not set(child) & set(parent)
