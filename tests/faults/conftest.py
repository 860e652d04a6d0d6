import os

import pytest

from .stack import Stack, missing_tools


@pytest.fixture(scope="session")
def stack():
    missing = missing_tools()
    if missing:
        message = f"fault tests need {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    stack = Stack.create()
    yield stack
    stack.close()
