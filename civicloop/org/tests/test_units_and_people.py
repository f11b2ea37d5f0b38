"""Units, memberships and the units importer."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from openpyxl import Workbook

from civicloop.core.importing import ImportRejected
from civicloop.org.importers import import_units
from civicloop.org.models import Membership, Person, Role, Unit


def csv_file(text, name="units.csv"):
    f = io.BytesIO(text.encode("utf-8"))
    f.name = name
    return f


def test_units_import_from_csv_with_chinese_headers(district):
    district["offices"]["west"].delete()
    report = import_units(csv_file(
        "编码,名称,简称,类型,上级编码,辖区编码,电话\n"
        "CGJ,区城管局,城管局,部门,,410103,0371-1\n"
        "ZX,数字城管监督指挥中心,指挥中心,department,CGJ,410103,\n"
        "S003,北街道办事处,北街道,街道办事处,,410103003,\n".replace("410103003", "410103001")
    ))  # fmt: skip
    assert report.created == 3
    centre = Unit.objects.get(code="ZX")
    assert centre.parent.code == "CGJ" and centre.kind == Unit.Kind.DEPARTMENT


def test_a_second_street_office_for_a_street_is_refused_clearly(district):
    with pytest.raises(ImportRejected, match="already has an active street office"):
        import_units(
            csv_file("code,name,kind,region_code\nS9,又一个办事处,street_office,410103001\n")
        )
    assert not Unit.objects.filter(code="S9").exists()


def test_units_import_from_xlsx_and_reimport_updates(district):
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "kind", "region_code"])
    sheet.append(["HW", "环卫清扫公司", "contractor", "410103"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    assert import_units(data, filename="units.xlsx").created == 1
    data.seek(0)
    assert import_units(data, filename="units.xlsx").updated == 1
    assert Unit.objects.filter(code="HW").count() == 1


def test_bad_unit_rows_are_named_and_nothing_is_imported(district):
    before = Unit.objects.count()
    with pytest.raises(ImportRejected) as err:
        import_units(csv_file(
            "code,name,kind,parent_code,region_code\n"
            "A,甲,department,,\n"
            "A,乙,department,,\n"
            "B,丙,spaceship,,\n"
            "C,丁,street_office,,410103\n"
            "D,戊,department,NOPE,\n"
            "E,西街道办事处,department,,\n"
            "F,己,department,,999\n"
        ))  # fmt: skip
    text = "\n".join(err.value.problems)
    for row in range(3, 9):
        assert f"row {row}" in text
    assert Unit.objects.count() == before


def test_unknown_columns_and_wrong_file_types_are_refused(district):
    with pytest.raises(ImportRejected, match="Unknown column"):
        import_units(csv_file("code,name,colour\nA,B,red\n"))
    with pytest.raises(ImportRejected, match="csv"):
        import_units(csv_file("x", name="units.pdf"))


def test_one_active_street_office_per_street(district):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="SW2", name="又一个西街道办", kind=Unit.Kind.STREET_OFFICE,
                            region=district["west"])  # fmt: skip


def test_a_street_office_needs_its_street(district):
    with pytest.raises(ValidationError):
        Unit(code="Q", name="无辖区办事处", kind=Unit.Kind.STREET_OFFICE).full_clean()
    with pytest.raises(ValidationError):
        Unit(code="Q", name="社区办事处", kind=Unit.Kind.STREET_OFFICE,
             region=district["west_c"]).full_clean()  # fmt: skip


def test_membership_scopes_follow_the_role(district):
    person = Person.objects.create(name="张三")
    unit = district["offices"]["west"]
    section = district["sections"][0]
    with pytest.raises(ValidationError):
        Membership(
            person=person, unit=unit, role=Role.HANDLER, patrol_area=district["area"]
        ).full_clean()
    with pytest.raises(ValidationError):
        Membership(person=person, unit=unit, role=Role.ROAD_CHIEF).full_clean()
    Membership.objects.create(person=person, unit=unit, role=Role.ROAD_CHIEF, road_section=section)
    other = Person.objects.create(name="李四")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            person=other, unit=unit, role=Role.ROAD_CHIEF, road_section=section
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(person=other, unit=unit, role=Role.HANDLER, road_section=section)


def test_road_chief_lookup(district):
    from civicloop.org.routing import road_chief

    person = Person.objects.create(name="王五")
    section = district["sections"][1]
    Membership.objects.create(person=person, unit=district["offices"]["east"],
                              role=Role.ROAD_CHIEF, road_section=section)  # fmt: skip
    assert road_chief(section.id).person == person
    assert road_chief(district["sections"][0].id) is None
    assert road_chief(None) is None


def test_parent_loops_and_two_offices_for_one_street_are_refused(district):
    with pytest.raises(ImportRejected) as err:
        import_units(csv_file(
            "code,name,kind,parent_code,region_code\n"
            "U1,一,department,U2,\n"
            "U2,二,department,U1,\n"
        ))  # fmt: skip
    assert "loop" in "\n".join(err.value.problems)
    district["offices"]["west"].delete()
    with pytest.raises(ImportRejected, match="row 2 is already"):
        import_units(csv_file(
            "code,name,kind,region_code\n"
            "S1,甲办事处,street_office,410103001\n"
            "S2,乙办事处,street_office,410103001\n"
        ))  # fmt: skip
    assert not Unit.objects.filter(code__in=["U1", "U2", "S1", "S2"]).exists()
