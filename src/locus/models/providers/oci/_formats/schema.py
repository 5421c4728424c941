"""Simplification of JSON Schemas into the subset OCI accepts (wire-spec §8.3).

The one implementation is ``locus.core._json_schema.simplify_schema`` (shared with the
structured-output schemas); the OCI codecs import it from here.
"""

from __future__ import annotations

from locus.core._json_schema import simplify_schema

__all__ = ["simplify_schema"]
