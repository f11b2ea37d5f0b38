"""Facts of Erqi District (二七区), Zhengzhou, for the demo dataset.

Names of places, units and programmes are public (DOMAIN.md). Codes follow
the national pattern but are demo codes, not the official ones. Every
geometry and every person built from this file is synthetic and flagged so.
"""

DISTRICT = ("410103", "二七区")
CENTRE = (113.63, 34.72)  # lon, lat

# (code suffix, name, kind, short name). Kinds: subdistrict, town, township,
# committee. The first 17 are named in DOMAIN.md; the public sources we have
# name only 17 of the 18 towns and subdistricts, so the 18th is a placeholder
# marked as synthetic.
STREETS = [
    ("001", "淮河路街道", "subdistrict", "淮河路"),
    ("002", "解放路街道", "subdistrict", "解放路"),
    ("003", "铭功路街道", "subdistrict", "铭功路"),
    ("004", "一马路街道", "subdistrict", "一马路"),
    ("005", "蜜蜂张街道", "subdistrict", "蜜蜂张"),
    ("006", "五里堡街道", "subdistrict", "五里堡"),
    ("007", "大学路街道", "subdistrict", "大学路"),
    ("008", "建中街街道", "subdistrict", "建中街"),
    ("009", "德化街街道", "subdistrict", "德化街"),
    ("010", "嵩山路街道", "subdistrict", "嵩山路"),
    ("011", "京广路街道", "subdistrict", "京广路"),
    ("012", "长江路街道", "subdistrict", "长江路"),
    ("013", "福华街街道", "subdistrict", "福华街"),
    ("014", "人和路街道", "subdistrict", "人和路"),
    ("015", "金水源街道", "subdistrict", "金水源"),
    ("016", "示例街道（合成）", "subdistrict", "示例"),
    ("101", "马寨镇", "town", "马寨"),
    ("201", "侯寨乡", "township", "侯寨"),
    ("401", "樱桃沟管委会", "committee", "樱桃沟"),
]
SYNTHETIC_STREETS = {"016"}

# Named communities and villages: street suffix → [(name, kind)].
NAMED_COMMUNITIES = {
    "014": [("广兴社区", "community"), ("华府社区", "community")],
    "101": [
        ("国花社区", "community"),
        ("代庄街社区", "community"),
        ("王庄社区", "community"),
        ("张寨村", "village"),
        ("张河村", "village"),
    ],
}
COMMUNITIES_PER_STREET = 6

# Named compounds: (name, street suffix, named community or None, managed?)
COMPOUNDS = [
    ("勤劳街3号院", "001", None, False),
    ("绿云小区", "001", None, True),
    ("瑞光片区", "006", None, False),
    ("航海小区", "013", None, True),
    ("政通路53号院", "012", None, False),
    ("豪邦花园", "010", None, True),
    ("桃源路47号院", "002", None, False),
    ("桃源路48号院", "002", None, False),
    ("长江花园", "014", "广兴社区", True),
    ("古建所家属院", "014", "华府社区", False),
    ("连心胡同（百顺小院）", "009", None, False),
]

# District departments (DOMAIN.md "Units that receive work").
DEPARTMENTS = [
    ("CGJ", "区城管局", "城管局"),
    ("JSJT", "区建设和交通局", "建交局"),
    ("DCJ", "区督查局", "督查局"),
    ("WMB", "区文明办", "文明办"),
    ("SZW", "区委社治委", "社治委"),
    ("ZFBZ", "区住房保障中心", "住保中心"),
    ("TGB", "停管办", "停管办"),
    ("AWB", "爱卫办", "爱卫办"),
    ("JXB", "区精细办", "精细办"),
    ("SWJ", "区商务局", "商务局"),
    ("RSJ", "区人社局", "人社局"),
    ("JTJ", "区教体局", "教体局"),
    ("MZJ", "区民政局", "民政局"),
    ("WLJ", "区文化旅游局", "文旅局"),
    ("SGJ", "区事管局", "事管局"),
    ("GSZJ", "区工商质监局", "工商质监局"),
]
CONTRACTORS = [
    ("HWQS", "环卫清扫公司", "环卫公司"),
    ("WYGS", "物业公司（示例）", "物业公司"),
    ("AFKJ", "安防科技公司（门禁）", "安防公司"),
]
# Five public-security sub-bureaus; the sources name three.
POLICE_BUREAUS = [
    ("GA-SSL", "嵩山路公安分局", "嵩山路分局"),
    ("GA-JYL", "洁云路公安分局", "洁云路分局"),
    ("GA-DXL", "大学路公安分局", "大学路分局"),
    ("GA-S4", "公安分局四（合成）", "分局四"),
    ("GA-S5", "公安分局五（合成）", "分局五"),
]
POLICE_SQUADS = 16

# Roads: 陇海路 and the "一环十纵十横" network. Names are public road names of
# the district; their geometry here is synthetic.
RING = ("R00", "一环路")
EAST_WEST = [
    ("R01", "陇海路"),
    ("R02", "航海路"),
    ("R03", "淮河路"),
    ("R04", "长江路"),
    ("R05", "汝河路"),
    ("R06", "解放路"),
    ("R07", "福华街"),
    ("R08", "保全街"),
    ("R09", "庆丰街"),
    ("R10", "建中街"),
    ("R11", "德化街"),
]
NORTH_SOUTH = [
    ("R21", "京广路"),
    ("R22", "大学路"),
    ("R23", "嵩山路"),
    ("R24", "兴华街"),
    ("R25", "政通路"),
    ("R26", "桃源路"),
    ("R27", "连云路"),
    ("R28", "工人路"),
    ("R29", "铭功路"),
    ("R30", "碧云路"),
]

# Routing as Erqi does it: category code → department/contractor code.
# Everything else falls back to the street office of the place.
ROUTING = {
    "停管办": ["E0505", "C0201"],
    "环卫清扫公司": ["E0102", "E0103", "E0104", "C0304", "C0305", "C0301"],
    "区城管局": ["E0504", "E02", "C0306", "C0307"],
    "区建设和交通局": ["C02", "E0191", "E0401"],
}

# Synthetic people: made-up names from common characters.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇浩凯健俊帆帅旭宁"
