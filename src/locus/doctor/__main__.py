"""``python -m locus.doctor``."""

from __future__ import annotations

from locus.doctor._cli import main

raise SystemExit(main())
