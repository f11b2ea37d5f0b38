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


# --- additions used by the case loop (all optional: older tables are unchanged) ------


@predicate
def has_unit(thing):
    return thing.unit is not None


def _reason(actor, thing):
    return f"unit {thing.unit} is not {actor.unit}"


LOOP = RuleTable(
    [
        Transition("refuse", "Refuse", ("new",), ("gone",), ("handler",),
                   data={"offers": "drop"}),
        Transition("refuse_late", "Refuse", ("signed",), ("gone",), ("office",),
                   data={"offers": "drop"}),
        Transition("ask", "Ask", ("new",), (), ("handler",), in_own_unit, _reason,
                   kind="request"),
        Transition("supervise", "Supervise", (), (), ("office",), guard=has_unit,
                   guard_refusal="No unit yet."),
        Transition("approve_x", "Approve", ("new",), (), ("office",), kind="decision",
                   decides="x"),
        Transition("reject_x", "Reject", (), (), ("office",), kind="decision", decides="x"),
    ],
    state_label=lambda s: f"<{s}>",
    state_refusal="Now %(state)s, needs %(allowed)s.",
)  # fmt: skip


def test_a_callable_refusal_and_a_custom_state_sentence():
    handler = FakeActor({"handler"}, unit=1)
    with pytest.raises(Forbidden, match="unit 2 is not 1"):
        LOOP.check("ask", handler, Thing("new", 2))
    with pytest.raises(InvalidState, match=r"Now <signed>, needs <new>\."):
        LOOP.check("ask", handler, Thing("signed", 1))


def test_a_guard_is_checked_after_the_state_and_binds_administrators_too():
    with pytest.raises(InvalidState, match="No unit yet"):
        LOOP.check("supervise", FakeActor({"administrator"}), Thing("new", None))
    assert LOOP.check("supervise", FakeActor({"office"}), Thing("new", 3)) == "office"


def test_offers_kinds_and_decisions():
    both = FakeActor({"handler", "office"}, unit=1)
    assert LOOP.available(both, Thing("new", 1), kind=("action", "request")) == [
        "drop",
        "ask",
        "supervise",
    ]
    assert LOOP.available(both, Thing("new", None), kind="request") == []
    assert LOOP.available(both, Thing("signed", 1)) == ["drop", "supervise"]
    assert LOOP.decisions(both, "x", Thing("new", 1)) == ["approve_x", "reject_x"]
    assert LOOP.decisions(both, "x", Thing("signed", 1)) == ["reject_x"]
    assert "| `supervise` | action |" in LOOP.markdown(("action", "kind", "guard"))
