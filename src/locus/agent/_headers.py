"""Extra HTTP headers for the model call being made: ``locus.core._headers``, re-exported
here for code that imported it from the agent."""

from __future__ import annotations

from locus.core._headers import model_headers

__all__ = ["model_headers"]
