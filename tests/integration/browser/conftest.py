"""The serve tests' real-server fixture, for the browser test too."""

from tests.integration.serve.conftest import serve

__all__ = ["serve"]
