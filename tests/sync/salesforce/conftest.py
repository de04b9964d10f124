"""A respx router for Salesforce client tests, with the token endpoint answering a JWT login."""

from __future__ import annotations

import pytest
import respx

from tests.sync.salesforce.support import TOKEN_URL, token_reply


@pytest.fixture
def sf():
    with respx.mock(assert_all_called=False) as router:
        router.post(TOKEN_URL).mock(return_value=token_reply())
        yield router
