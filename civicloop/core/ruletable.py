"""Rule tables: who may do which action on an object in which state, as data.

Every app with a lifecycle (cases, supervision, renovation) declares one
:class:`RuleTable` in its ``rules.py``: a list of :class:`Transition` rows
(action name, from-states, to-states, the roles that may do it, a scope
predicate with the sentence said when it fails). Actions check themselves
against the table (:meth:`RuleTable.check`); menus, API ``actions`` lists,
decision forms, the demo generator and the docs read the same table
(:meth:`RuleTable.available`, :meth:`RuleTable.markdown`), so a rule is
written once.

Predicates are the ``rules`` library's (``@rules.predicate``, composable with
``&``, ``|`` and ``~``), called as ``predicate(actor, obj)``. A predicate may
need the object's fresh state; the table never caches a verdict.

Administrators may do everything a role may, unless a transition says
``admin=False`` (a resident's rating, for example).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import rules
from django.utils.translation import gettext as _

from .errors import Forbidden, InvalidState

ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Transition:
    """One row of a rule table.

    ``from_states`` empty means "any state"; ``to_states`` empty means the
    state does not change (a note, a request, an overlay). ``roles`` are role
    codes (``org.Role`` values, or pseudo-roles such as ``"resident"`` that an
    app's actor carries); an empty tuple means anyone who passes ``scope``.
    ``scope`` is a predicate ``(actor, obj) -> bool`` checked after the role,
    ``refusal`` the sentence said when it fails (or a callable
    ``(actor, obj) -> str`` when one predicate has several reasons). ``kind`` groups rows for
    faces (``"action"``, ``"request"``, ``"decision"``); ``decides`` names the
    request kind a decision row decides. ``data`` carries anything else a face
    needs (a form name, a style), so faces do not keep their own copies.
    """

    name: str
    label: Any
    from_states: tuple[str, ...] = ()
    to_states: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    scope: Callable[..., bool] | None = None
    refusal: Any = ""
    kind: str = "action"
    decides: str = ""
    admin: bool = True
    data: dict = field(default_factory=dict)
    #: A condition on the object checked after the state (nobody bypasses it):
    #: ``guard(obj) -> bool``; ``guard_refusal`` is the :class:`InvalidState` sentence.
    guard: Callable[..., bool] | None = None
    guard_refusal: Any = ""

    def applies_in(self, state: str) -> bool:
        return not self.from_states or state in self.from_states


def always(actor, obj) -> bool:  # pragma: no cover - trivial
    return True


class RuleTable:
    """An app's transitions, looked up by name, checked against an actor and an object.

    ``state_of(obj)`` reads an object's state (default ``obj.state``);
    ``state_label(code)`` names a state for people; ``role_label(code)`` names
    a role.
    """

    def __init__(
        self,
        transitions: Iterable[Transition],
        *,
        state_of: Callable[[Any], str] = lambda obj: obj.state,
        state_label: Callable[[str], str] = str,
        role_label: Callable[[str], str] = str,
        state_refusal: Any = None,
    ):
        self.transitions: tuple[Transition, ...] = tuple(transitions)
        self._by_name = {t.name: t for t in self.transitions}
        if len(self._by_name) != len(self.transitions):
            seen: set[str] = set()
            twice = [t.name for t in self.transitions if t.name in seen or seen.add(t.name)]
            raise ValueError(f"rule table names an action twice: {twice}")
        self.state_of = state_of
        #: The roles each row accepts, administrators included where they may.
        self._candidates = {
            t.name: ((*t.roles, ADMINISTRATOR) if t.admin and t.roles else t.roles)
            for t in self.transitions
        }
        self.state_label = state_label
        self.role_label = role_label
        #: The sentence for a wrong state, with ``%(state)s`` and ``%(allowed)s``
        #: (a lazy translation; the default is the generic one).
        self.state_refusal = state_refusal

    def __getitem__(self, name: str) -> Transition:
        return self._by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def __iter__(self):
        return iter(self.transitions)

    def names(self, kind: str | None = None) -> list[str]:
        return [t.name for t in self.transitions if kind is None or t.kind == kind]

    # --- checking ----------------------------------------------------------

    def role_for(self, name: str, actor) -> str:
        """The role under which ``actor`` may do ``name``, or :class:`Forbidden`."""
        transition = self[name]
        if not transition.roles:
            return actor.first_role(*sorted(actor.roles)) if actor.roles else ""
        candidates = (*transition.roles, ADMINISTRATOR) if transition.admin else transition.roles
        role = actor.first_role(*candidates)
        if not role:
            names = "、".join(self.role_label(r) for r in transition.roles)
            raise Forbidden(_("Only these roles may do this: %(roles)s.") % {"roles": names})
        return role

    def check_state(self, name: str, obj) -> None:
        """:class:`InvalidState` unless ``obj`` is in a state ``name`` applies to."""
        transition = self[name]
        if transition.from_states and not transition.applies_in(self.state_of(obj)):
            raise self.state_error(obj, transition.from_states)
        if transition.guard is not None and not transition.guard(obj):
            raise InvalidState(str(transition.guard_refusal))

    def state_error(self, obj, states: Iterable[str]) -> InvalidState:
        """The refusal for ``obj`` not being in one of ``states``."""
        allowed = "、".join(self.state_label(s) for s in states)
        template = (
            str(self.state_refusal)
            if self.state_refusal
            else _("It is %(state)s; this can only be done when it is %(allowed)s.")
        )
        return InvalidState(
            template % {"state": self.state_label(self.state_of(obj)), "allowed": allowed}
        )

    def check_scope(self, name: str, actor, obj, role: str = "") -> None:
        """:class:`Forbidden` (with the row's refusal) unless the scope predicate holds."""
        transition = self[name]
        if transition.scope is None or (role == ADMINISTRATOR and transition.admin):
            return
        if not transition.scope(actor, obj):
            refusal = transition.refusal
            if callable(refusal):
                refusal = refusal(actor, obj)
            raise Forbidden(str(refusal) or _("This is outside your scope."))

    def _verdict(self, name: str, actor, obj, state: bool = True) -> tuple[str, str]:
        """(the role acted under, the first failure: "", "role", "scope", "state" or
        "guard"), without building a refusal (menus ask this for every row)."""
        t = self._by_name[name]
        candidates = self._candidates[name]
        role = actor.first_role(*candidates) if candidates else ""
        if not role:
            if t.roles:
                return "", "role"
            role = actor.first_role(*sorted(actor.roles)) if actor.roles else ""
        if (
            t.scope is not None
            and not (role == ADMINISTRATOR and t.admin)
            and not t.scope(actor, obj)
        ):
            return role, "scope"
        if state:
            if t.from_states and self.state_of(obj) not in t.from_states:
                return role, "state"
            if t.guard is not None and not t.guard(obj):
                return role, "guard"
        return role, ""

    def check(self, name: str, actor, obj, *, state: bool = True) -> str:
        """Role, scope and (unless ``state=False``) state and guard; the role acted under.

        The order is the one people expect to hear reasons in: who you are,
        whether it is yours, whether it is the moment. (One lookup of the row:
        the demo generator checks every simulated step.)
        """
        role, failure = self._verdict(name, actor, obj, state)
        if failure == "role":
            self.role_for(name, actor)  # raises with the roles that may
        elif failure == "scope":
            self.check_scope(name, actor, obj, role)  # raises with the row's refusal
        elif failure == "state":
            raise self.state_error(obj, self._by_name[name].from_states)
        elif failure == "guard":
            raise InvalidState(str(self._by_name[name].guard_refusal))
        return role

    def allows(self, name: str, actor, obj) -> bool:
        return not self._verdict(name, actor, obj)[1]

    def refusal(self, name: str, actor, obj) -> str:
        """Why ``actor`` may not do ``name`` on ``obj`` now ("" when they may)."""
        try:
            self.check(name, actor, obj)
        except (Forbidden, InvalidState) as error:
            return error.message
        return ""

    def available(self, actor, obj, *, kind: str | tuple[str, ...] | None = "action") -> list[str]:
        """The names (of ``kind`` or kinds, or all) ``actor`` may do on ``obj`` now, in table order.

        A row may offer itself under another name (``data={"offers": "refuse"}``,
        for one action whose roles depend on the state): the name is listed once.
        """
        kinds = (kind,) if isinstance(kind, str) else kind
        names: list[str] = []
        for t in self.transitions:
            if (kinds is None or t.kind in kinds) and self.allows(t.name, actor, obj):
                offered = t.data.get("offers", t.name)
                if offered not in names:
                    names.append(offered)
        return names

    def decisions(self, actor, kind: str, obj) -> list[str]:
        """The decision rows deciding requests of ``kind`` that ``actor`` may take on ``obj``."""
        return [
            t.name
            for t in self.transitions
            if t.kind == "decision" and t.decides == kind and self.allows(t.name, actor, obj)
        ]

    # --- documentation -----------------------------------------------------

    def markdown(self, columns: Sequence[str] = ("action", "from", "to", "roles", "scope")) -> str:
        """The table as Markdown, for the docs (a test keeps the docs equal to it)."""
        heads = {
            "action": "action",
            "from": "from states",
            "to": "to states",
            "roles": "roles",
            "scope": "scope",
            "kind": "kind",
            "decides": "decides",
            "guard": "condition",
        }
        lines = [
            "| " + " | ".join(heads[c] for c in columns) + " |",
            "|" + "|".join("---" for _c in columns) + "|",
        ]
        for t in self.transitions:
            cells = {
                "action": f"`{t.name}`",
                "from": ", ".join(f"`{s}`" for s in t.from_states) or "any",
                "to": ", ".join(f"`{s}`" for s in t.to_states) or "(unchanged)",
                "roles": ", ".join(f"`{r}`" for r in t.roles) or "anyone in scope",
                "scope": getattr(t.scope, "name", "") if t.scope is not None else "",
                "kind": t.kind,
                "decides": f"`{t.decides}`" if t.decides else "",
                "guard": getattr(t.guard, "name", getattr(t.guard, "__name__", ""))
                if t.guard is not None
                else "",
            }
            lines.append("| " + " | ".join(cells[c] for c in columns) + " |")
        return "\n".join(lines) + "\n"


predicate = rules.predicate
"""Re-exported so apps write ``@predicate`` without importing the library themselves."""
