"""The public side of a case: what the tracking page may show, and nothing more.

Shown: the category, the state, the street, the resident's description, and
for each public history row its time, what happened in the resident's words
(``cases.public_steps``: internal steps are said plainly or hidden) and the
handling unit's name, with the public copies of after-photos. The reporter's
own page (their tracking code, not a follower's) also shows the address they
typed and the public copies of their photos. Never shown: who reported or
their contacts, staff names, notes, original photos.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from civicloop.cases.models import Case, CaseEvent, Evidence
from civicloop.cases.public_steps import SHOWN_ACTIONS, public_state, public_step

#: Photos the public may see (public copies only).
PUBLIC_PHOTO_KINDS = (Evidence.Kind.BEFORE, Evidence.Kind.AFTER)
MAX_MERGE_HOPS = 5


@dataclass
class Step:
    at: object
    label: str
    state_label: str
    unit_name: str
    photos: list = field(default_factory=list)


def case_queryset():
    return Case.objects.select_related(
        "small_class__category_class", "unit", "street", "duplicate_of"
    )


def timeline(case: Case) -> list[Step]:
    """The public history of ``case`` (2 queries)."""
    events = list(
        case.events.filter(is_public=True, action__in=SHOWN_ACTIONS)
        .select_related("unit")
        .order_by("at", "id")
    )
    photos: dict[int, list[Evidence]] = {}
    for evidence in Evidence.objects.filter(case=case, kind=Evidence.Kind.AFTER).order_by(
        "uploaded_at", "id"
    ):
        photos.setdefault(evidence.event_id, []).append(evidence)
    steps = []
    for event in events:
        steps.append(
            Step(
                at=event.at,
                label=public_step(event),
                state_label=public_state(event.to_state) if event.to_state else "",
                unit_name=event.unit.name if event.unit is not None else "",
                photos=photos.get(event.pk, []),
            )
        )
    return steps


def merge_chain(case: Case) -> list[Case]:
    """The cases ``case`` was merged into, in order (usually one)."""
    chain, current = [], case
    while current.duplicate_of_id and len(chain) < MAX_MERGE_HOPS:
        current = case_queryset().get(pk=current.duplicate_of_id)
        chain.append(current)
    return chain


def own_photos(case: Case) -> list[Evidence]:
    """The photos the reporter sent (shown on their own page, as public copies)."""
    return list(
        Evidence.objects.filter(
            case=case, kind=Evidence.Kind.BEFORE, event__action=CaseEvent.Action.REPORT
        ).order_by("uploaded_at", "id")  # not photos staff added later
    )
