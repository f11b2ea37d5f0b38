"""The rule table: the docs are generated from it and every row has its action."""

from pathlib import Path

from civicloop.cases import actions
from civicloop.cases.management.commands.case_rules import DOCS_FILE, rules_document
from civicloop.cases.rules import RULES


def test_docs_case_rules_is_the_table():
    assert Path(DOCS_FILE).read_text(encoding="utf-8") == rules_document(), (
        "docs/case-rules.md differs from civicloop/cases/rules.py: "
        "run `manage.py case_rules --write`"
    )


def test_every_row_has_one_function_in_the_registry():
    # The "see" rows are no action: they say who sees the reporter (docs/privacy.md).
    assert set(RULES.names("see")) == {"see_reporter_contact", "see_tracking_code"}
    assert set(actions.REGISTRY) == set(RULES.names()) - set(RULES.names("see"))
    for kind in ("return", "extension", "suspension", "void", "reopen"):
        assert actions.decision(kind, "approve") is getattr(actions, f"approve_{kind}")
        assert actions.decision(kind, "reject") is getattr(actions, f"reject_{kind}")


def test_decision_rows_name_their_request_kind_and_roles():
    from civicloop.cases.models import CaseRequest

    decided = {t.decides for t in RULES if t.kind == "decision"}
    assert decided == set(CaseRequest.Kind.values)
    assert RULES["approve_void"].roles == RULES["reject_void"].roles == ("shift_leader",)


def test_stage_states_are_read_from_the_table():
    from civicloop.cases.rules import stage_states
    from civicloop.org.models import Role

    assert stage_states(Role.HANDLER) == ("dispatched", "in_progress")
    assert stage_states(Role.UNIT_LEADER) == ("dispatched", "in_progress")
    assert stage_states(Role.INSPECTOR) == ("verifying", "pending_check")
    assert stage_states(Role.DISPATCHER) == ("pending_dispatch", "suspended")
    assert stage_states(Role.ACCEPTOR) == ("reported",)
    assert stage_states(Role.SHIFT_LEADER) == ("reported", "pending_filing", "pending_closure")
    # rows allowed in any open state (assign, merge, supervise) make no stage anyone's
    assert stage_states(Role.SUPERVISOR) == ()
    assert stage_states(Role.ACCEPTOR, Role.DISPATCHER) == (
        "reported", "pending_dispatch", "suspended",
    )  # fmt: skip
