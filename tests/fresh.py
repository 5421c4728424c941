"""What a program leaves in ``sys.modules`` when it runs in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable


def modules_after(program: str, candidates: Iterable[str], *, timeout: float = 120) -> set[str]:
    """The modules among ``candidates`` that ``program`` (Python source, run by a new
    interpreter: nothing this process imported counts) leaves loaded."""
    probe = (
        f"import json, sys\n{program}\n"
        f"print(json.dumps([m for m in {list(candidates)!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=timeout
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))
