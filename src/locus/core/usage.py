"""Token usage, a ``dict`` so that it prints the way users expect."""

from __future__ import annotations

__all__ = ["Usage"]

_KEYS = (
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "reasoning_tokens",
    "cached_tokens",
)


class Usage(dict[str, int]):
    """Token counts of one model call (or the sum of several).

    Only the counts the provider reported are present, so a DAC answer prints as
    ``{'prompt_tokens': 17, 'completion_tokens': 18, 'total_tokens': 35}``.
    Attribute access returns 0 for an unknown count.
    """

    __slots__ = ()

    def __init__(
        self,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        total_tokens: int | None = None,
        reasoning_tokens: int | None = None,
        cached_tokens: int | None = None,
    ) -> None:
        super().__init__()
        values = (prompt_tokens, completion_tokens, total_tokens, reasoning_tokens, cached_tokens)
        for key, value in zip(_KEYS, values, strict=True):
            if value is not None:
                self[key] = int(value)
        if total_tokens is None and prompt_tokens is not None and completion_tokens is not None:
            self["total_tokens"] = int(prompt_tokens) + int(completion_tokens)

    @property
    def prompt_tokens(self) -> int:
        return self.get("prompt_tokens", 0)

    @property
    def completion_tokens(self) -> int:
        return self.get("completion_tokens", 0)

    @property
    def total_tokens(self) -> int:
        return self.get("total_tokens", 0)

    @property
    def reasoning_tokens(self) -> int:
        return self.get("reasoning_tokens", 0)

    @property
    def cached_tokens(self) -> int:
        return self.get("cached_tokens", 0)

    def __add__(self, other: object) -> Usage:
        if not isinstance(other, dict):
            return NotImplemented
        merged = Usage()
        for key in _KEYS:
            if key in self or key in other:
                merged[key] = self.get(key, 0) + int(other.get(key, 0))
        return merged
