"""The catalogue as Open311 services, and the attributes a service asks for.

``service_code`` is the small class's full code (``E0102``), ``service_name``
its name, ``group`` the name of its class, ``keywords`` its keywords. A
service has ``metadata`` true when it has attributes:

* ``standard`` (singlevaluelist, optional): which filing standard applies,
  when the small class has more than one active standard;
* ``urgency`` (singlevaluelist, optional): normal or urgent, when a standard
  of the small class has an urgent time limit;
* ``owner`` (string, optional): the component's owner (权属单位), for
  components (family C), which responsibility rules may route by.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from civicloop.cases.models import FilingStandard, SmallClass, Urgency
from civicloop.cases.models.catalogue import Family

OWNER_MAX = 100


@dataclass
class Attribute:
    code: str
    datatype: str
    description: str
    order: int
    required: bool = False
    variable: bool = True
    datatype_description: str | None = None
    values: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description,
            "order": self.order,
            "description": self.description,
        }
        if self.datatype in ("singlevaluelist", "multivaluelist"):
            data["values"] = [{"key": key, "name": name} for key, name in self.values]
        return data


class InvalidAttribute(ValueError):
    """An ``attribute[code]`` value that is not acceptable (message for the client)."""


def service_queryset():
    """Active small classes with what the service list and definitions need (3 queries)."""
    standards = FilingStandard.objects.filter(is_active=True).prefetch_related("time_limits")
    return (
        SmallClass.objects.active()
        .select_related("category_class")
        .prefetch_related(Prefetch("standards", queryset=standards, to_attr="active_standards"))
        .order_by("full_code")
    )


def attributes_for(small: SmallClass) -> list[Attribute]:
    """The attributes of a service (small class loaded through :func:`service_queryset`)."""
    standards = getattr(small, "active_standards", None)
    if standards is None:
        standards = list(small.standards.filter(is_active=True).prefetch_related("time_limits"))
    attributes: list[Attribute] = []
    if len(standards) > 1:
        attributes.append(
            Attribute(
                code="standard",
                datatype="singlevaluelist",
                description=_("Which of these describes the problem best?"),
                order=len(attributes) + 1,
                values=[(s.code, s.condition) for s in standards],
            )
        )
    if any(limit.urgency == Urgency.URGENT for s in standards for limit in s.time_limits.all()):
        attributes.append(
            Attribute(
                code="urgency",
                datatype="singlevaluelist",
                description=_("Is it urgent (a danger to people or traffic)?"),
                order=len(attributes) + 1,
                values=[
                    (Urgency.NORMAL.value, str(Urgency.NORMAL.label)),
                    (Urgency.URGENT.value, str(Urgency.URGENT.label)),
                ],
            )  # fmt: skip
        )
    if small.category_class.family == Family.COMPONENT:
        attributes.append(
            Attribute(
                code="owner",
                datatype="string",
                description=_("Who owns the facility, if it is marked on it (optional)."),
                datatype_description=_("At most %(n)d characters, one line.") % {"n": OWNER_MAX},
                order=len(attributes) + 1,
            )
        )
    return attributes


def service_dict(small: SmallClass) -> dict:
    return {
        "service_code": small.full_code,
        "service_name": small.name,
        "description": small.description or None,
        "metadata": bool(attributes_for(small)),
        "type": "realtime",
        "keywords": ", ".join(small.keyword_list) or None,
        "group": small.category_class.name,
    }


def validate_attributes(small: SmallClass, given: dict[str, list[str]]) -> dict[str, str]:
    """Check ``attribute[code]`` values against the service definition.

    ``given`` maps each code to the list of values sent. Returns the cleaned
    values by code; raises :class:`InvalidAttribute` with a message naming the
    attribute otherwise.
    """
    attributes = {a.code: a for a in attributes_for(small)}
    cleaned: dict[str, str] = {}
    for code, values in given.items():
        attribute = attributes.get(code)
        if attribute is None:
            raise InvalidAttribute(
                _("attribute[%(code)s]: service %(service)s has no such attribute.")
                % {"code": code, "service": small.full_code}
            )
        values = [v.strip() for v in values if v.strip()]
        if not values:
            continue
        if attribute.datatype != "multivaluelist" and len(values) > 1:
            raise InvalidAttribute(_("attribute[%(code)s] takes one value.") % {"code": code})
        value = values[0]
        if attribute.datatype == "singlevaluelist":
            keys = [key for key, _name in attribute.values]
            if value not in keys:
                raise InvalidAttribute(
                    _("attribute[%(code)s]: %(value)s is not one of %(keys)s.")
                    % {"code": code, "value": value[:40], "keys": ", ".join(keys)}
                )
        elif attribute.datatype == "string" and (
            len(value) > OWNER_MAX or "\n" in value or "\r" in value
        ):
            raise InvalidAttribute(
                _("attribute[%(code)s]: one line of at most %(n)d characters, please.")
                % {"code": code, "n": OWNER_MAX}
            )
        cleaned[code] = value
    for code, attribute in attributes.items():
        if attribute.required and code not in cleaned:
            raise InvalidAttribute(_("attribute[%(code)s] is required.") % {"code": code})
    return cleaned
