"""Every console page answers for a signed-in user."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "username",
    ["inspector", "acceptor", "shift_leader", "dispatcher", "supervisor", "handler_clean",
     "leader_west", "road_chief", "admin_role"],
)  # fmt: skip
def test_pages_answer(client_for, dispatched, username):
    c = client_for(username)
    home = c.get(reverse("console:home"))
    assert home.status_code in (200, 302)
    for name in ("console:dashboard", "console:cases", "console:requests", "console:supervision",
                 "console:map_cases", "console:map_streets"):  # fmt: skip
        assert c.get(reverse(name)).status_code == 200, name
