"""The console presents exactly the rule table's menu (no hand-kept list of its own)."""

from civicloop.cases.rules import MENU_KINDS, RULES
from civicloop.console.case_actions import ACTIONS, DONE


def test_the_console_presents_exactly_the_menu_of_the_table():
    menu = {RULES[n].data.get("offers", n) for n in RULES.names() if RULES[n].kind in MENU_KINDS}
    assert set(ACTIONS) == menu
    assert set(DONE) == menu - {"merge", "check"}  # those two say more
