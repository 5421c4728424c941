"""The paging contract (``tests/unit/stores/test_paging_contract.py``) on PostgreSQL."""

from tests.unit.stores.test_paging_contract import *  # noqa: F403
