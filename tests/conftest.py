from pathlib import Path

import pytest

from tests.helpers import SEED


@pytest.fixture
def seed_path() -> Path:
    return SEED
