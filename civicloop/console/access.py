"""Who is asking: the signed-in user's actor, and cases fetched only through scope.

Every console view is wrapped in :func:`staff_view`; every case a view touches
comes from :func:`case_or_404`, which reads it through
:func:`civicloop.cases.permissions.visible_cases`, so a case outside the
user's scope is a 404 and never a 403 that would confirm it exists.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from civicloop.cases.models import Case
from civicloop.cases.permissions import Actor, actor_for, visible_cases
from civicloop.org.models import Role


def staff_view(view):
    """Login required; ``request.actor`` is the user's actor (memberships loaded once)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.actor = actor_for(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def case_or_404(actor: Actor, pk, queryset=None) -> Case:
    queryset = Case.objects.all() if queryset is None else queryset
    try:
        return visible_cases(actor, queryset).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case.") from None


def role_labels(actor: Actor) -> list[str]:
    return [str(Role(r).label) for r in Role.values if r in actor.roles]
