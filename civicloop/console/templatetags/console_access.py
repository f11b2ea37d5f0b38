"""Template questions about the signed-in user: menu entries and private fields."""

from django import template

from civicloop.cases.permissions import actor_for, sees_reporter_contact, sees_tracking_code

register = template.Library()


def _actor(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return getattr(request, "actor", None) or actor_for(request.user)


@register.simple_tag(takes_context=True)
def can_evaluate(context) -> bool:
    """Whether the menu offers the evaluation (centre, supervisors, units)."""
    from civicloop.console.evaluation_views import may_evaluate

    actor = _actor(context)
    return actor is not None and may_evaluate(actor)


@register.simple_tag(takes_context=True)
def sees_contact(context, case) -> bool:
    """Whether the user may see the phone and e-mail of ``case``'s reporter (the rule
    table's ``see_reporter_contact``)."""
    actor = _actor(context)
    return actor is not None and sees_reporter_contact(actor, case)


@register.simple_tag(takes_context=True)
def sees_code(context, case) -> bool:
    """Whether the user may see ``case``'s tracking code (the rule table's
    ``see_tracking_code``: the call desk, to tell a caller their code)."""
    actor = _actor(context)
    return actor is not None and sees_tracking_code(actor, case)
