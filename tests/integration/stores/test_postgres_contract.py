"""The thread-store contract (``tests/unit/stores/test_contract.py``) on PostgreSQL."""

from tests.unit.stores.test_contract import *  # noqa: F403
