"""Thread stores: where conversations live between runs.

One small protocol (``ThreadStore``: ``load`` and ``append``, plus optional ``delete``,
``list_threads`` and ``page_threads`` (paging with a cursor), metadata, a cross-process
``lock`` and ``aclose``) and three stores:

- ``InMemoryThreadStore``: a dict, for one process and tests,
- ``SQLiteThreadStore(path)``: the embedded default for one machine (several processes
  may share the file),
- ``PostgresThreadStore(dsn)``: for many processes and machines (extra
  ``locus-oci[postgres]``).

``open_thread_store("sqlite:///threads.db")`` builds one from a URL. A database that
fails raises ``StoreError`` (``StoreUnavailableError`` when it cannot be reached or the
connection broke), naming the file or the URL with its password masked.
"""

from locus.stores._memory import InMemoryThreadStore
from locus.stores._open import open_thread_store
from locus.stores._postgres import PostgresThreadStore
from locus.stores._protocol import ThreadStore
from locus.stores._sqlite import SQLiteThreadStore

__all__ = [
    "InMemoryThreadStore",
    "PostgresThreadStore",
    "SQLiteThreadStore",
    "ThreadStore",
    "open_thread_store",
]
