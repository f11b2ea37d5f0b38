"""Import units from a CSV or xlsx table (English or Chinese headers).

Columns: code 编码, name 名称, kind 类型 (department/部门, street_office/街道办事处,
contractor/作业公司, police/公安, other/其他), optional short_name 简称,
parent_code 上级编码, region_code 辖区编码, phone 电话, note 备注, active 启用.
The whole file is validated first; a clean file is written in one
transaction, matched by code.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.core.importing import ImportRejected, ImportReport, parse_bool
from civicloop.core.tabular import TabularError, read_table
from civicloop.geo.models import Region

from .models import Unit

UNIT_COLUMNS = {
    "code": "code", "编码": "code", "单位编码": "code",
    "name": "name", "名称": "name", "单位名称": "name",
    "short_name": "short_name", "简称": "short_name",
    "kind": "kind", "类型": "kind",
    "parent_code": "parent_code", "上级编码": "parent_code",
    "region_code": "region_code", "辖区编码": "region_code",
    "phone": "phone", "电话": "phone",
    "note": "note", "备注": "note",
    "active": "active", "启用": "active",
}  # fmt: skip

KIND_WORDS = {
    "部门": Unit.Kind.DEPARTMENT,
    "街道办事处": Unit.Kind.STREET_OFFICE,
    "街道": Unit.Kind.STREET_OFFICE,
    "作业公司": Unit.Kind.CONTRACTOR,
    "公司": Unit.Kind.CONTRACTOR,
    "公安": Unit.Kind.POLICE,
    "其他": Unit.Kind.OTHER,
}


def import_units(source, filename: str | None = None) -> ImportReport:
    try:
        rows = read_table(source, UNIT_COLUMNS, filename=filename)
    except TabularError as exc:
        raise ImportRejected([str(exc)]) from exc
    problems: list[str] = []
    codes = {}
    names = {}
    regions = {
        r.code: r for r in Region.objects.filter(code__in={r.get("region_code") for _n, r in rows})
    }
    existing = {u.code: u for u in Unit.objects.all()}
    code_of_name = {u.name: u.code for u in existing.values()}
    clean_rows = []
    for number, row in rows:
        where = _("row %(n)d") % {"n": number}
        code, name = row.get("code", ""), row.get("name", "")
        kind = KIND_WORDS.get(row.get("kind", ""), row.get("kind", ""))
        if not code or not name:
            problems.append(f"{where}: " + _("code and name are required."))
            continue
        if code in codes:
            problems.append(
                f"{where}: " + _("code %(c)s repeats row %(n)d.") % {"c": code, "n": codes[code]}
            )
        if name in names:
            problems.append(
                f"{where}: " + _("name %(c)s repeats row %(n)d.") % {"c": name, "n": names[name]}
            )
        codes[code], names[name] = number, number
        if code_of_name.get(name, code) != code:
            problems.append(
                f"{where}: "
                + _("name %(n)s already belongs to unit %(c)s.")
                % {"n": name, "c": code_of_name[name]}
            )
        if kind not in Unit.Kind.values:
            problems.append(f"{where}: " + _("unknown kind '%(k)s'.") % {"k": row.get("kind", "")})
        region_code = row.get("region_code", "")
        if region_code and region_code not in regions:
            problems.append(f"{where}: " + _("region %(c)s does not exist.") % {"c": region_code})
        if kind == Unit.Kind.STREET_OFFICE and (
            region_code not in regions or regions[region_code].level != Region.Level.STREET
        ):
            problems.append(f"{where}: " + _("a street office needs the code of its street."))
        try:
            active = parse_bool(row.get("active") or "1")
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            active = True
        clean_rows.append((number, code, name, kind, row, active))
    parent_of = {u.code: (u.parent.code if u.parent_id else "") for u in existing.values()}
    parent_of.update(
        {code: row.get("parent_code", "") for _n, code, _nm, _k, row, _a in clean_rows}
    )
    offices: dict[str, int] = {}
    units = []
    for number, code, name, kind, row, active in clean_rows:
        where = _("row %(n)d") % {"n": number}
        parent = row.get("parent_code", "")
        if parent and parent not in codes and parent not in existing:
            problems.append(f"{where}: " + _("parent unit %(c)s does not exist.") % {"c": parent})
        seen, node = {code}, parent
        while node:
            if node in seen:
                problems.append(f"{where}: " + _("the parent units form a loop."))
                break
            seen.add(node)
            node = parent_of.get(node, "")
        region_code = row.get("region_code", "")
        if kind == Unit.Kind.STREET_OFFICE and active and region_code:
            if region_code in offices:
                problems.append(
                    f"{where}: "
                    + _("row %(n)d is already the street office of this street.")
                    % {"n": offices[region_code]}
                )
            offices[region_code] = number
        unit = existing.get(code) or Unit(code=code)
        unit.name, unit.kind, unit.is_active = name, kind, active
        unit.short_name, unit.phone, unit.note = (
            row.get("short_name", ""),
            row.get("phone", ""),
            row.get("note", ""),
        )
        unit.region = regions.get(region_code)
        try:
            unit.full_clean(exclude=["parent"], validate_unique=False)
        except ValidationError as exc:
            problems.append(f"{where}: " + "; ".join(exc.messages))
        units.append((unit, row.get("parent_code", "")))
    if problems:
        raise ImportRejected(problems)

    report = ImportReport(_("units"))
    with transaction.atomic():
        saved = dict(existing)
        for unit, _parent in units:
            report.updated += 1 if unit.pk else 0
            report.created += 0 if unit.pk else 1
            unit.save()
            saved[unit.code] = unit
        for unit, parent in units:
            unit.parent = saved.get(parent) if parent else None
            unit.save(update_fields=["parent"])
    return report
