"""A small registry of Erqi-like units and places for tests that need no database."""

import chinese_calendar

from civicloop.supervision.extraction.registry import PlaceRecord, Registry, UnitRecord


def statutory_workday(day) -> bool:
    return chinese_calendar.is_workday(day)


def small_registry() -> Registry:
    places = [
        PlaceRecord(1, "淮河路街道", 2, "subdistrict"),
        PlaceRecord(2, "人和路街道", 2, "subdistrict"),
        PlaceRecord(3, "马寨镇", 2, "town"),
        PlaceRecord(4, "樱桃沟管委会", 2, "committee"),
        PlaceRecord(11, "广兴社区", 3, "community", 2),
        PlaceRecord(12, "华府社区", 3, "community", 2),
        PlaceRecord(13, "张寨村", 3, "village", 3),
        PlaceRecord(14, "王庄社区", 3, "community", 3),
    ]
    units = [
        UnitRecord(101, "区城管局", "城管局", "department"),
        UnitRecord(102, "区建设和交通局", "建交局", "department"),
        UnitRecord(103, "区人社局", "人社局", "department"),
        UnitRecord(104, "区精细办", "精细办", "department"),
        UnitRecord(105, "停管办", "停管办", "department"),
        UnitRecord(106, "区督查局", "督查局", "department"),
        UnitRecord(107, "环卫清扫公司", "环卫公司", "contractor"),
        UnitRecord(201, "淮河路街道办事处", "淮河路", "street_office", 1),
        UnitRecord(202, "人和路街道办事处", "人和路", "street_office", 2),
        UnitRecord(203, "马寨镇人民政府", "马寨", "street_office", 3),
        UnitRecord(204, "樱桃沟管委会", "樱桃沟", "street_office", 4),
    ]
    return Registry(units=units, places=places, district_name="二七区")
