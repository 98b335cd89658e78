from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.helpers import SEED

# One Hypothesis profile for every property test: no deadline and no health check that depends on
# the machine's speed (a busy CI runner or laptop is not a failing test), bounded example counts.
# Tests may lower or raise max_examples; the rest is inherited from this profile.
settings.register_profile(
    "sna",
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    derandomize=False,
    print_blob=True,
)
settings.load_profile("sna")


@pytest.fixture
def seed_path() -> Path:
    return SEED
