"""A respx router for Marketo client tests, with the identity endpoint answering a token."""

from __future__ import annotations

import pytest
import respx

from tests.sync.marketo.support import IDENTITY, token_reply


@pytest.fixture
def mkto():
    with respx.mock(assert_all_called=False) as router:
        router.get(IDENTITY).mock(return_value=token_reply())
        yield router
