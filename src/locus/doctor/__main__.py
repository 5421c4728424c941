"""``python -m locus.doctor``."""

from __future__ import annotations

from locus.doctor.cli import main

raise SystemExit(main())
