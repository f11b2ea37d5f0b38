"""Batch actions on the case list: dispatch to one unit, merge several into one,
assign an inspector.

Which batch actions a user is offered is read from the rule table
(:data:`civicloop.cases.rules.RULES`): an action is offered when the user holds
one of the roles of its row. Each ticked case then goes through the very
action function a case page uses (:func:`civicloop.console.case_actions.run`),
which checks role, scope, state and condition again for that case.

Each ticked case carries the version the list showed: a case someone changed
since is refused (the same conflict as on its page), not acted on unseen.

**One transaction per case**: each action writes in its own transaction, so a
refusal (or a conflict) on one case rolls back nothing done to the others; the
result page lists which cases succeeded and which were refused, with the
reason. Queries: one to load the ticked cases, then the action's own (a fixed
number per case).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from civicloop.cases.actions import ActionError, Forbidden, Invalid
from civicloop.cases.models import Case
from civicloop.cases.permissions import visible_cases
from civicloop.cases.rules import RULES
from civicloop.org.models import Unit

from .access import staff_view
from .case_actions import merge_target, run
from .forms import InspectorChoiceField, case_number, inspector_queryset

#: Rule-table rows a batch may run, in the order the list offers them.
BATCH_ACTIONS = {
    "dispatch": pgettext_lazy("batch", "Dispatch to one unit"),
    "merge": pgettext_lazy("batch", "Merge into one case"),
    "assign_inspector": pgettext_lazy("batch", "Assign an inspector"),
}
#: At most this many cases in one batch (a page of the list).
MAX_BATCH = 100


def batch_actions(actor) -> list[str]:
    """The batch actions ``actor`` holds a role for (the rule table's roles; administrators too)."""
    offered = []
    for name in BATCH_ACTIONS:
        try:
            RULES.role_for(name, actor)
        except Forbidden:
            continue
        offered.append(name)
    return offered


class BatchForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("With the ticked cases"))
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Handling unit"), required=False, empty_label=gettext_lazy("choose…"),
        queryset=Unit.objects.filter(is_active=True).order_by("kind", "code"),
    )  # fmt: skip
    into = forms.CharField(
        label=gettext_lazy("Into case number"), required=False, max_length=24,
        help_text=gettext_lazy("The open case the others repeat."),
    )  # fmt: skip
    inspector = InspectorChoiceField(
        label=gettext_lazy("Inspector"), queryset=inspector_queryset(), required=False,
        empty_label=gettext_lazy("choose…"),
    )  # fmt: skip
    reason = forms.CharField(
        label=gettext_lazy("Reason for another unit than suggested"), required=False,
        max_length=2000,
        help_text=gettext_lazy("Needed for each ticked case whose suggested unit is not this one."),
    )  # fmt: skip
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    #: The field each action needs.
    NEEDS = {"dispatch": "unit", "merge": "into", "assign_inspector": "inspector"}

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(n, BATCH_ACTIONS[n]) for n in offered]

    def clean_into(self):
        return case_number(self.cleaned_data.get("into"))

    def clean(self):
        data = super().clean()
        name = data.get("action")
        raw = self.data.getlist("cases") if hasattr(self.data, "getlist") else []
        # "id:version" as the list showed it (a case changed since is refused), or "id".
        ticked: dict[int, int | None] = {}
        for value in raw:
            pk, _sep, version = str(value).partition(":")
            if not (pk.isdecimal() and len(pk) < 12) or not (
                version == "" or (version.isdecimal() and len(version) < 12)
            ):
                raise forms.ValidationError(_("The ticked cases are not valid."))
            ticked.setdefault(int(pk), int(version) if version else None)
        data["cases"] = list(ticked)
        data["versions"] = ticked
        if not data["cases"]:
            raise forms.ValidationError(_("Tick at least one case."))
        if len(data["cases"]) > MAX_BATCH:
            raise forms.ValidationError(_("At most %(n)s cases at once.") % {"n": MAX_BATCH})
        needed = self.NEEDS.get(name)
        if needed and not data.get(needed) and needed not in self.errors:
            self.add_error(needed, {
                "unit": _("Choose the unit to dispatch to."),
                "into": _("Give the number of the case to merge into."),
                "inspector": _("Choose the inspector."),
            }[needed])  # fmt: skip
        return data


def _back(request) -> str:
    """The list the batch came from (same host only), else the plain list."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("console:cases")


@dataclass
class Outcome:
    case: Case | None
    pk: int
    ok: bool
    message: str


@staff_view
@require_POST
def case_batch(request):
    actor = request.actor
    offered = batch_actions(actor)
    if not offered:
        raise Http404("No batch actions for this user.")
    form = BatchForm(request.POST, offered=offered)
    if not form.is_valid():
        return render(request, "console/batch_result.html",
                      {"form": form, "outcomes": [], "action_label": "", "back": _back(request)},
                      status=400)  # fmt: skip
    data = form.cleaned_data
    name = data["action"]
    visible = visible_cases(actor)
    found = visible.select_related("small_class", "unit").in_bulk(data["cases"])
    values = {"note": data.get("note") or ""}
    target_error = ""
    if name == "dispatch":
        values["unit"] = data["unit"]
        values["reason"] = data.get("reason") or ""
    elif name == "assign_inspector":
        values["inspector"] = data["inspector"]
    elif name == "merge":
        try:
            values["into"] = merge_target(data["into"], visible)
        except Invalid as exc:
            target_error = exc.message
    outcomes = []
    for pk in data["cases"]:
        case = found.get(pk)
        if case is None:
            outcomes.append(Outcome(None, pk, False, _("There is no such case that you can see.")))
            continue
        if target_error:
            outcomes.append(Outcome(case, pk, False, target_error))
            continue
        try:
            message = run(name, actor, case, {**values, "version": data["versions"][pk]}, visible)
        except ActionError as exc:
            outcomes.append(Outcome(case, pk, False, exc.message))
        else:
            outcomes.append(Outcome(case, pk, True, message))
    fresh = Case.objects.in_bulk([o.pk for o in outcomes if o.case is not None])
    for outcome in outcomes:  # the state after the batch (one query for all)
        if outcome.case is not None:
            outcome.case = fresh.get(outcome.pk, outcome.case)
    done = sum(1 for o in outcomes if o.ok)
    return render(request, "console/batch_result.html", {
        "form": form, "outcomes": outcomes, "action_label": BATCH_ACTIONS[name],
        "done": done, "refused": len(outcomes) - done,
        "back": _back(request),
    })  # fmt: skip
