"""The ```python blocks of docs/hooks.md, docs/approvals.md and docs/multi-agent.md run as
written, in order, each document in one fresh interpreter against the emulator, and
print what their comments say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.stores.services import ROOT

_RUN = """
import sys
sys.path.insert(0, {root!r})
blocks = {blocks!r}
namespace = {{"__name__": "__main__"}}
try:
    for index, block in enumerate(blocks):
        exec(compile(block, f"{name} block {{index}}", "exec"), namespace)
finally:
    if "emu" in namespace:
        namespace["emu"].stop()
"""

EXPECTED = {
    "hooks.md": [
        "The result of delete_records is delete_records is not allowed for clerk.",
        "no-tools 1",
        "{'additionalProperties': False, 'properties': {}, 'type': 'object'}",
        "The result of my_balance is ada has 120 EUR.",
        "You help ada. Never show other users' balances.",
    ],
    "approvals.md": [
        "awaiting_approval refund {'order_id': 'A17', 'amount': 30}",
        "The result of refund is refunded 30 EUR on order A17.",
        "The result of refund is Not run: a person denied this call. Reason: paid twice.",
        "The result of refund is refunded 5 EUR on order C3.",
        "[('refund', {'order_id': 'C4', 'amount': 7})]",
        "The result of refund is refunded 7 EUR on order C4. None",
        "awaiting_approval ('clerk',) refund {'order_id': 'D4', 'amount': 12}",
        "The result of clerk is The result of refund is refunded 12 EUR on order D4.",
    ],
    "multi-agent.md": [
        "The result of clerk is The result of stock is 12.",
        "1",
        "clerk tool_call_started stock",
        "clerk tool_call_finished stock",
        "adder Adds numbers. ['add_two_numbers']",
        "The result of adder is The result of add_two_numbers is 42.",
        "TASK_STATE_COMPLETED The result of add_two_numbers is 3.",
        "The result of add_two_numbers is 4.",
        "401 the agent needs credentials: pass RemoteAgent(url, token=...) "
        "(sent as 'Authorization: Bearer <token>'), or headers={...}",
        "billing",
        "The result of transfer_to_billing is Transferred to billing.",
        "billing is shown ['user'] of ['user', 'assistant', 'tool']",
        "billing",
        "refunds refund",
        "refunds E5 is refunded.",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_doc_blocks_run_and_print_what_they_say(name: str, tmp_path: Path) -> None:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)
    code = _RUN.format(root=str(ROOT), blocks=blocks, name=name)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,  # the SQLite file of approvals.md lands here
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == EXPECTED[name]
