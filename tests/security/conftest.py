import pytest
from django.core.cache import cache


@pytest.fixture
def throttle_rates(settings):
    """Set some throttle rates (the rest stay off) on a cache with no counts from earlier tests.

    Rates are per day: a fixed window that rolls over mid-test would reset a count and make the
    test flaky; a day boundary is out of reach of any run.
    """

    def set_rates(**rates):
        cache.clear()
        settings.THROTTLE_RATES = {"auth": None, "booking": None, "user": None, "anon": None, **rates}

    yield set_rates
    cache.clear()
