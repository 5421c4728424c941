"""Locus benchmarks: framework overhead against the raw-HTTP limit, measured side by side."""
