"""After warm-up a deadline costs no query (timings live in bench/worktime.py)."""

import pytest

from civicloop.worktime.services import TimeUnit, deadline_for, light_at

from .helpers import at

pytestmark = pytest.mark.django_db


def test_twenty_working_days_run_no_query_after_warm_up(django_assert_num_queries):
    start = at(2025, 3, 3, 10)
    deadline_for(start, 20, TimeUnit.WORKING_DAYS)
    with django_assert_num_queries(0):
        deadline = deadline_for(start, 20, TimeUnit.WORKING_DAYS).at
        light_at(start, deadline, at(2025, 3, 20, 10))
