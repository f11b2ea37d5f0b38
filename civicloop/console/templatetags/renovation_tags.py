"""``{% renovation_for_case case %}``: the renovation project of the compound a case lies in."""

from django import template

from civicloop.renovation import progress, queries

register = template.Library()


@register.inclusion_tag("console/renovation/_case_panel.html")
def renovation_for_case(case):
    project = queries.project_at(case.lon, case.lat, case.community_id)
    if project is None:
        return {"project": None}
    value = progress.value(project)
    tone = progress.light(value, project.batch)
    return {"project": project, "progress": value, "light": tone, "label": progress.LIGHTS[tone]}
