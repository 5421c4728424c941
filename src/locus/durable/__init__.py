"""Durable agent runs: an ``Agent`` whose runs survive the death of the process running them.

``locus.durable.temporal`` runs agents on Temporal (extra ``locus-oci[temporal]``). On one
machine no engine is needed: the stores' ``RunState`` and ``agent.resume`` are the
embedded default (``docs/approvals.md``). See ``docs/durable.md``.
"""

__all__: list[str] = []
