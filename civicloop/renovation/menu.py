"""The seed of the work menu: 一拆五改三增 and the supporting functions (DOMAIN.md).

Used by the data migration and by tests; after that the menu is data, edited
in the admin.
"""

SEED = [
    # code, name, group, unit of measure
    ("D01", "拆除违章建筑", "demolish", "㎡"),
    ("R01", "改电力线路", "rework", "米"),
    ("R02", "改墙体立面", "rework", "㎡"),
    ("R03", "改管网（供排水、燃气、暖气）", "rework", "米"),
    ("R04", "改道路", "rework", "㎡"),
    ("R05", "改绿化", "rework", "㎡"),
    ("A01", "增党群服务室", "add", "处"),
    ("A02", "增物业用房", "add", "处"),
    ("A03", "增安防设施（智能门禁、监控）", "add", "套"),
    ("S01", "养老服务", "support", "处"),
    ("S02", "社区服务中心", "support", "处"),
    ("S03", "城市书房", "support", "处"),
    ("S04", "停车设施", "support", "个"),
]


def seed(work_type_model=None) -> None:
    """Create the seed entries that are missing (existing entries, edited in the admin, stay)."""
    if work_type_model is None:
        from .models import WorkType as work_type_model
    for sort, (code, name, group, measure) in enumerate(SEED, start=1):
        work_type_model.objects.get_or_create(
            code=code, defaults={"name": name, "group": group, "measure": measure, "sort": sort}
        )
