"""``python -m locus.emulator``."""

from __future__ import annotations

import sys

from locus.emulator.cli import main

if __name__ == "__main__":
    sys.exit(main())
