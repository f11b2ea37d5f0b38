"""The shared rule-table machinery: roles, scope, state, refusals, menus, docs."""

from dataclasses import dataclass, field

import pytest

from civicloop.core.errors import Forbidden, InvalidState
from civicloop.core.ruletable import RuleTable, Transition, predicate


@dataclass
class FakeActor:
    roles: set = field(default_factory=set)
    unit: int | None = None

    def first_role(self, *roles):
        return next((r for r in roles if r in self.roles), "")


@dataclass
class Thing:
    state: str
    unit: int


@predicate
def in_own_unit(actor, thing):
    return actor.unit == thing.unit


TABLE = RuleTable(
    [
        Transition(
            "sign", "Sign", ("new",), ("signed",), ("handler",), in_own_unit, "Not your unit's."
        ),  # fmt: skip
        Transition("note", "Note", (), (), ("handler", "office")),
        Transition("rate", "Rate", ("done",), (), ("resident",), admin=False),
    ],
    state_label=lambda s: f"<{s}>",
)


def test_role_scope_state_in_that_order():
    handler = FakeActor({"handler"}, unit=1)
    assert TABLE.check("sign", handler, Thing("new", 1)) == "handler"
    with pytest.raises(Forbidden, match="Only these roles"):
        TABLE.check("sign", FakeActor({"office"}), Thing("done", 2))
    with pytest.raises(Forbidden, match="Not your unit"):
        TABLE.check("sign", handler, Thing("done", 2))
    with pytest.raises(InvalidState, match="<done>.*<new>"):
        TABLE.check("sign", handler, Thing("done", 1))


def test_administrator_passes_role_and_scope_unless_excluded():
    admin = FakeActor({"administrator"})
    assert TABLE.check("sign", admin, Thing("new", 9)) == "administrator"
    with pytest.raises(Forbidden):
        TABLE.check("rate", admin, Thing("done", 9))


def test_available_and_refusal_read_the_same_rows():
    handler = FakeActor({"handler"}, unit=1)
    assert TABLE.available(handler, Thing("new", 1)) == ["sign", "note"]
    assert TABLE.available(handler, Thing("new", 2)) == ["note"]
    assert TABLE.refusal("sign", handler, Thing("new", 2)) == "Not your unit's."
    assert TABLE.refusal("note", handler, Thing("new", 2)) == ""


def test_a_name_twice_is_refused_and_markdown_lists_every_row():
    with pytest.raises(ValueError):
        RuleTable([Transition("a", "A"), Transition("a", "A")])
    text = TABLE.markdown()
    assert text.count("\n") == 2 + len(TABLE.transitions)
    assert "`sign` | `new` | `signed` | `handler` | in_own_unit" in text
