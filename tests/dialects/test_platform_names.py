"""The profile's list of platforms and the client's dialects are the same list, in the same order."""

from app.api.dialects import DIALECTS
from app.core.platform_names import PLATFORMS


def test_every_platform_a_profile_may_name_has_a_dialect_and_back():
    assert tuple(DIALECTS) == PLATFORMS
