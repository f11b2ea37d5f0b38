"""Helpers shared by the endpoints: scoped lookups and pagination."""

from __future__ import annotations

import math

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from civicloop.cases.actions import Invalid
from civicloop.cases.models import Case

from ..auth import actor
from ..errors import not_found
from ..schemas import Id
from ..serialize import DETAIL_RELATED

MAX_PAGE_SIZE = 100


def case_not_found():
    return not_found(_("There is no such case."))


def require_visible(request, case_id: Id) -> None:
    """404 unless the user may see the case (the same answer as for no case at all)."""
    if not Case.objects.filter(pk=case_id).visible_to(actor(request)).exists():
        raise case_not_found()


def visible_detail(request, case_id: Id) -> Case:
    case = (
        Case.objects.filter(pk=case_id)
        .visible_to(actor(request))
        .select_related(*DETAIL_RELATED)
        .first()
    )
    if case is None:
        raise case_not_found()
    return case


def user_ref(value, field: str = "inspector"):
    """A user by id or username, or :class:`Invalid` naming ``field``."""
    if value in (None, ""):
        return None
    value = str(value).strip()
    users = get_user_model().objects
    user = users.filter(username=value).first()
    if user is None and value.isdecimal() and len(value) < 19:
        user = users.filter(pk=int(value)).first()
    if user is None or not user.is_active:
        raise Invalid(_("There is no such user: %(user)s.") % {"user": value}, field)
    return user


def paginate(queryset, page: int, page_size: int) -> dict:
    """One COUNT and one page query."""
    count = queryset.count()
    pages = max(1, math.ceil(count / page_size))
    start = (page - 1) * page_size
    items = list(queryset[start : start + page_size]) if start < count else []
    return {"count": count, "page": page, "page_size": page_size, "pages": pages, "items": items}
