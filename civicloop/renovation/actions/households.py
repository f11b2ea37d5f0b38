"""Household codes: how an anonymous resident proves they belong to a compound.

The community issues one code per household (printed once on a slip, never
stored in plain: only ``keyed_hash("household", code)``). The same code places
orders, votes and rates. Issuing a new code for a dwelling retires the old one
(an old code is then refused as "replaced"); the household's voting receipts
move to the new row, so a reissued code never gives a second vote.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.core.errors import Forbidden, Invalid

from ..models import Household, Receipt
from ..rules import RULES, Resident
from .common import keyed_hash, now, record

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
CODE_LENGTH = 12  # 32**12 = 2**60 codes


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise(code: str) -> str:
    """Upper case without spaces and dashes; common misreadings (O→0 …) are not guessed."""
    text = "".join(ch for ch in str(code or "").upper() if ch.isalnum())
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def code_hash(code: str) -> str:
    return keyed_hash("household", normalise(code))


def resident_for(code: str, compound=None) -> Resident:
    """The resident acting with ``code``; :class:`Invalid` for a forged or replaced code.

    With ``compound``, also :class:`Forbidden` unless the household lives there.
    """
    text = normalise(code)
    if len(text.replace("-", "")) != CODE_LENGTH:
        raise Invalid(_("A household code has 12 letters and digits."), "code")
    household = (
        Household.objects.select_related("compound").filter(code_hash=code_hash(text)).first()
    )
    if household is None:
        raise Invalid(_("There is no household with this code."), "code")
    if not household.is_active:
        raise Invalid(_("This code was replaced by a newer one; use the newer slip."), "code")
    if compound is not None and household.compound_id != compound.pk:
        raise Forbidden(_("Your household does not belong to this compound."), "code")
    return Resident(household=household, code=text)


def check_issue_codes(actor, project, labels) -> list[str]:
    RULES.check("issue_codes", actor, project)
    cleaned = []
    for label in labels:
        label = str(label or "").strip()
        if not label:
            continue
        if len(label) > 40:
            raise Invalid(_("A dwelling is at most 40 characters: %(l)s") % {"l": label}, "labels")
        if label in cleaned:
            raise Invalid(_("A dwelling is listed twice: %(l)s") % {"l": label}, "labels")
        cleaned.append(label)
    if not cleaned:
        raise Invalid(_("List at least one dwelling (one a line)."), "labels")
    if len(cleaned) > 2000:
        raise Invalid(_("At most 2000 dwellings at a time."), "labels")
    return cleaned


def issue_codes(actor, project, labels) -> list[tuple[Household, str]]:
    """Issue a code for each dwelling; returns (household, plain code) once, to print."""
    role = RULES.role_for("issue_codes", actor)
    labels = check_issue_codes(actor, project, labels)
    return do_issue_codes(actor, role, project, labels)


@transaction.atomic
def do_issue_codes(actor, role, project, labels, at=None) -> list[tuple[Household, str]]:
    at = at or now()
    compound = project.compound
    old = {
        h.label: h
        for h in Household.objects.select_for_update().filter(
            compound=compound, label__in=labels, is_active=True
        )
    }
    if old:
        Household.objects.filter(pk__in=[h.pk for h in old.values()]).update(is_active=False)
    issued = []
    for label in labels:
        code = new_code()
        household = Household.objects.create(
            compound=compound, label=label, code_hash=code_hash(code), issued_at=at
        )
        if label in old:
            Receipt.objects.filter(household=old[label]).update(household=household)
        issued.append((household, code))
    record(actor, role, compound_id=compound.pk, project_id=project.pk, subject="project",
           subject_id=project.pk, action="issue_codes",
           note=_("%(n)d household codes issued (%(r)d replaced).") % {"n": len(issued), "r": len(old)},
           data={"issued": len(issued), "replaced": len(old)}, at=at)  # fmt: skip
    return issued
