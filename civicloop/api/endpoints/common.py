"""Helpers shared by the endpoints: scoped lookups and pagination."""

from __future__ import annotations

import math

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from civicloop.cases.actions import Invalid
from civicloop.cases.models import Case
from civicloop.core.compiled import Compiled

from ..auth import actor
from ..errors import not_found
from ..schemas import Id
from ..serialize import visible_case

MAX_PAGE_SIZE = 100
#: Case lists count exactly up to this many rows (then ``count_exact`` is false).
COUNT_LIMIT = 10_000


def case_not_found():
    return not_found(_("There is no such case."))


def require_visible(request, case_id: Id) -> None:
    """404 unless the user may see the case (the same answer as for no case at all)."""
    if not Case.objects.filter(pk=case_id).visible_to(actor(request)).exists():
        raise case_not_found()


def visible_detail(request, case_id: Id) -> Case:
    case = visible_case(actor(request), case_id)
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


def _page(count: int, page: int, page_size: int, items: list, exact: bool = True) -> dict:
    pages = max(1, math.ceil(count / page_size))
    return {"count": count, "count_exact": exact, "page": page, "page_size": page_size,
            "pages": pages, "items": items}  # fmt: skip


def paginate(queryset, page: int, page_size: int) -> dict:
    """One COUNT and one page query."""
    count = queryset.count()
    start = (page - 1) * page_size
    items = list(queryset[start : start + page_size]) if start < count else []
    return _page(count, page, page_size, items)


def paginate_compiled(
    compiled: Compiled, shape, build, page: int, page_size: int, *, count_limit: int
) -> dict:
    """A page through :class:`Compiled` (``build()`` the queryset, no values): one count
    of at most ``count_limit`` + 1 rows, one page query. Past the limit the count is
    the limit and not exact; the pages past it are still served."""
    counted = compiled.count(shape, build, limit=count_limit + 1)
    exact = counted <= count_limit
    start = (page - 1) * page_size
    items = []
    if start < counted or not exact:
        items = compiled.all((shape, start, page_size),
                             lambda: build()[start : start + page_size])  # fmt: skip
    return _page(min(counted, count_limit), page, page_size, items, exact)
