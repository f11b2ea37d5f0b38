"""Small template helpers of the console: badges, durations, role names."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from civicloop.cases.models import Light
from civicloop.cases.permissions import actor_for
from civicloop.org.models import Role

register = template.Library()


@register.simple_tag
def light_badge(light: str):
    if not light:
        return format_html('<span class="light light-none" title="{}">–</span>', _("no clock"))
    return format_html(
        '<span class="light light-{}" data-light="{}">{}</span>', light, light, Light(light).label
    )


@register.simple_tag
def state_badge(case):
    return format_html(
        '<span class="state state-{}" data-state="{}">{}</span>',
        case.state,
        case.state,
        case.get_state_display(),
    )


@register.filter
def role_label(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return {"system": _("system"), "resident": _("resident")}.get(value, value)


@register.filter
def minutes(value) -> str:
    """A number of minutes as 'N d N h N min' (Chinese: 天/小时/分钟)."""
    try:
        total = abs(int(value))
    except (TypeError, ValueError):
        return ""
    days, rest = divmod(total, 60 * 24)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if mins or not parts:
        parts.append(_("%(n)d min") % {"n": mins})
    return " ".join(parts)


@register.simple_tag(takes_context=True)
def can_report(context) -> bool:
    """Whether the signed-in user has an intake page (the "Report" menu entry)."""
    from civicloop.console.forms import report_sources

    request = context.get("request")
    if request is None:
        return False
    actor = getattr(request, "actor", None) or actor_for(request.user)
    return bool(report_sources(actor))
