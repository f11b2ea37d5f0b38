"""Supervision demo (督查督办): meeting decisions as items, three campaigns, the 陇海路 inspection.

Called by ``manage.py demo`` after the district is built; reused when present.

* **Items** from the meetings and decisions of DOMAIN.md (refined city
  management, old-compound renovation, garbage sorting, muck trucks and
  dust, parking, back alleys …) and three standing items per street office,
  set in the four months before today so colours and rankings are live. Each
  item is driven through the real actions (register → assign → sign →
  progress → completion → review → close, with rejections and extensions),
  in time order, with the worker's pass run twice a week in between: the red
  sheets, chasing notices and interviews are what the worker would have done.
  Outcomes are drawn with a fixed seed, weighted per street, so the 红黑榜
  has a top and a bottom.
* **Campaign ledgers** keep their historical dates: the 2019 smart access
  control of every compound without property management (by 30 July 2019),
  the 2019 environment campaign (≥ 3 district highlights and ≥ 1 highlight
  road section per street by 20 July 2019), and the 2020 school reopening
  with one row per school (283 schools; their names are synthetic and say
  so). Rows are bulk-inserted with the history rows an import would write.
* **The 陇海路 inspection**: a district leader walks the road; facade,
  greenery and under-bridge problems become cases dispatched to the unit
  named on the spot, two become items.

Every person is synthetic (demo people); deterministic for a given day.
"""

from __future__ import annotations

import datetime
import io
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from PIL import Image

from civicloop.core.errors import ActionError
from civicloop.geo.models import Compound, Region, Road
from civicloop.notify.models import Channel
from civicloop.org.actors import actor_for
from civicloop.org.models import Membership, Person, Role, Unit
from civicloop.supervision import actions as sv
from civicloop.supervision.actions.campaigns import create_campaign
from civicloop.supervision.actions.common import deadline_after, working_days_between
from civicloop.supervision.actions.inspections import record_inspection
from civicloop.supervision.models import (
    Campaign,
    CampaignRow,
    CampaignRowEvent,
    Item,
    SupervisionSettings,
)
from civicloop.supervision.timekeeping import recolour_rows, run_pass

SEED = 2019
ZONE = timezone.get_default_timezone()

#: Decisions of district meetings: (meeting, title, requirement, lead unit, cooperating,
#: post, responsibility, working days, target (quantity, noun, at least) or None).
DECISIONS = [
    (
        "区城市精细化管理推进会",
        "陇海路沿线立面整治",
        "陇海路沿线墙体立面、户外广告逐段整治，拆除违规招牌。",
        "区城管局",
        ["京广路街道办事处", "大学路街道办事处"],
        "局长",
        "牵头制定方案，逐段验收",
        30,
        (12, "个路段", False),
    ),
    (
        "区城市精细化管理推进会",
        "垃圾分类全覆盖",
        "全区公共机构和居民小区垃圾分类全覆盖，每周报送覆盖率。",
        "区城管局",
        ["区事管局"],
        "分管副局长",
        "统筹推进，按周通报",
        40,
        None,
    ),
    (
        "区老旧小区改造工作调度会",
        "第一批老旧小区改造开工",
        "第一批264个老旧小区全部开工，勤劳街3号院、绿云小区先行。",
        "区住房保障中心",
        ["淮河路街道办事处", "五里堡街道办事处"],
        "中心主任",
        "按标段调度，每周报送开工数",
        35,
        (264, "个小区", True),
    ),
    (
        "区老旧小区改造工作调度会",
        "航海小区一拆五改三增方案",
        "航海小区完成拆违、五改三增方案编制并公示。",
        "福华街街道办事处",
        ["区住房保障中心"],
        "街道办事处主任",
        "组织四方协同，征求居民意见",
        15,
        None,
    ),
    (
        "区扬尘治理专题会",
        "渣土车和工地扬尘整治",
        "渣土车全部密闭运输，工地落实六个百分之百。",
        "区建设和交通局",
        ["区城管局"],
        "局长",
        "每日巡查，发现问题限期整改",
        20,
        None,
    ),
    (
        "区扬尘治理专题会",
        "施工围挡规范设置",
        "主次干道施工围挡统一规范设置、破损及时修复。",
        "区建设和交通局",
        [],
        "分管副局长",
        "建立围挡台账，逐一销号",
        12,
        None,
    ),
    (
        "区交通秩序整治会",
        "占道停车和停车秩序整治",
        "主干道占道停车专项整治，施划停车泊位。",
        "停管办",
        ["嵩山路街道办事处"],
        "主任",
        "划线设泊，劝导与执法结合",
        25,
        (500, "个泊位", True),
    ),
    (
        "区创文工作推进会",
        "公益广告全覆盖",
        "主次干道、小区、工地围挡公益广告全覆盖。",
        "区文明办",
        ["区城管局"],
        "主任",
        "按标准设置并拍照报送",
        15,
        None,
    ),
    (
        "区创文工作推进会",
        "集贸市场环境整治",
        "集贸市场内外环境整治，规范经营秩序。",
        "区商务局",
        ["区工商质监局"],
        "局长",
        "逐市场检查，建立问题清单",
        20,
        None,
    ),
    (
        "区委常委会",
        "智能门禁安装推进",
        "无物业小区智能门禁安装和居民信息录入。",
        "区委社治委",
        ["区住房保障中心"],
        "常务副主任",
        "按台账逐小区推进",
        25,
        None,
    ),
    (
        "区长办公会",
        "学校复学防控保障",
        "全区学校复学前完成防疫物资储备和应急演练。",
        "区教体局",
        [],
        "局长",
        "五级责任链条，逐校落实",
        10,
        (283, "所学校", False),
    ),
    (
        "区爱国卫生运动会",
        "背街小巷卫生死角清理",
        "背街小巷卫生死角全面清理，建立长效保洁机制。",
        "爱卫办",
        ["区城管局"],
        "主任",
        "组织清理并督导",
        15,
        None,
    ),
]
#: Standing items of every street office: (title, requirement, working days).
STREET_ITEMS = [
    ("背街小巷整治", "辖区背街小巷路面破损、私搭乱建、垃圾堆放集中整治。", 20),
    ("突出门店经营和占道经营整治", "沿街门店突出经营、占道经营清理规范。", 12),
    ("电动车停放秩序", "沿街电动车规范停放，设置停放区域。", 10),
]
#: Outcome weights (on time, late, rejected then on time, open and red, open in time).
STRONG = (6, 1, 1, 0, 2)
WEAK = (2, 3, 2, 3, 1)


def _at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (150, 120, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


class _Plan:
    """Actions and worker passes in time order (ties keep the order they were planned in)."""

    def __init__(self):
        self.steps: list[tuple[datetime.datetime, int, object]] = []

    def add(self, at: datetime.datetime, fn) -> None:
        self.steps.append((at, len(self.steps), fn))

    def run(self) -> int:
        """Run every step; a step an action refuses is skipped (counted), never half done."""
        refused = 0
        for _when, _n, fn in sorted(self.steps, key=lambda s: (s[0], s[1])):
            try:
                fn()
            except (ActionError, KeyError):
                refused += 1
        return refused


def _people(report) -> dict:
    """The office, a district leader unit with two leaders, and each unit's handler and leader."""
    units = {u.name: u for u in Unit.objects.all()}
    government, _c = Unit.objects.get_or_create(
        code="QZF", defaults={"name": "二七区人民政府", "short_name": "区政府", "kind": Unit.Kind.DEPARTMENT,
                              "note": "区领导所在单位（演示）"},
    )  # fmt: skip
    users = get_user_model().objects
    from .builder import demo_password, password_hash

    password = password_hash(report.password if report is not None else demo_password())
    leaders = []
    for n, name in enumerate(["郑建国（合成）", "王晓梅（合成）"], start=1):
        user, _c = users.get_or_create(username=f"districtleader{n:02d}")
        user.password = password
        user.save()
        person, _c = Person.objects.get_or_create(
            user=user, defaults={"name": name, "is_synthetic": True}
        )
        Membership.objects.get_or_create(person=person, unit=government, role=Role.LEADER)
        leaders.append(user)
    if report is not None:
        report.logins.append((str(Role.LEADER.label), "districtleader01", government.name))
    handlers, heads = {}, {}
    for m in Membership.objects.filter(role__in=(Role.HANDLER, Role.UNIT_LEADER), is_active=True,
                                       person__user__isnull=False).select_related("person__user"):  # fmt: skip
        (handlers if m.role == Role.HANDLER else heads).setdefault(m.unit_id, m.person)
    office_user = (
        Membership.objects.filter(role=Role.SUPERVISOR).select_related("person__user").first()
    )
    return {"units": units, "leaders": leaders, "handlers": handlers, "heads": heads,
            "office": actor_for(office_user.person.user), "government": government}  # fmt: skip


def _item_steps(plan, ctx, rnd, spec, start, weights, today):
    meeting, title, requirement, lead, coop, post, responsibility, days, target = spec
    units, heads, handlers = ctx["units"], ctx["heads"], ctx["handlers"]
    lead_unit = units[lead]
    if lead_unit.pk not in heads or lead_unit.pk not in handlers:
        return
    deadline = deadline_after(start, days)
    outcome = rnd.choices(["on_time", "late", "rejected", "red", "open"], weights=weights)[0]
    if deadline >= today and outcome in ("on_time", "late", "rejected", "red"):
        outcome = "open" if outcome in ("late", "red") else outcome
    if deadline < today and outcome == "open":
        outcome = "red"
    office, unit = ctx["office"], actor_for(handlers[lead_unit.pk].user)
    state = {}

    def register():
        data = {"title": title, "requirement": requirement, "lead_unit": lead_unit,
                "person": heads[lead_unit.pk], "post": post, "responsibility": responsibility,
                "cooperating_units": [units[c] for c in coop if c in units], "start": start,
                "deadline_days": days, "source_title": meeting, "source_date": start,
                "reporting": "weekly",
                "minutes": f"{meeting}议定：{requirement}（演示纪要）"}  # fmt: skip
        if target:
            data.update(target_quantity=target[0], target_noun=target[1], target_at_least=target[2])
        state["item"] = sv.register_item(office, at=_at(start, 9), **data)

    def at(name, day, hour, **data):
        plan.add(_at(day, hour), lambda: sv.act(
            office if name in ("assign", "pass_review", "reject_review", "close",
                               "approve_extension", "order_interview") else unit,
            state["item"].pk, name, at=_at(day, hour), **data))  # fmt: skip

    plan.add(_at(start, 9), register)
    at("assign", start, 10, note="请按时限办结")
    signed = start + datetime.timedelta(days=1)
    at("sign", signed, 9)
    span = max(1, (deadline - start).days)

    def progress(share, day):
        quantity = None
        if target:
            quantity = int(target[0] * share)
        at(
            "report_progress",
            day,
            15,
            note=f"已完成约{int(share * 100)}%，正在推进。",
            percent=int(share * 100),
            **({"quantity": quantity} if quantity is not None else {}),
        )

    first = start + datetime.timedelta(days=max(2, span // 3))
    if first < today:
        progress(0.4 if outcome != "red" else 0.2, first)
    if outcome in ("on_time", "rejected"):
        done = start + datetime.timedelta(days=max(3, span - rnd.randint(1, 3)))
        full = {"quantity": target[0]} if target else {}
        at("submit_completion", done, 16, note="已全部完成，附现场照片。", percent=100, **full)
        if outcome == "rejected":
            at(
                "reject_review",
                done + datetime.timedelta(days=1),
                10,
                reason="整改不彻底，照片与现场不符。",
            )
            at(
                "submit_completion",
                done + datetime.timedelta(days=2),
                16,
                note="已补充整改。",
                percent=100,
                **full,
            )
            done += datetime.timedelta(days=2)
        at("pass_review", done + datetime.timedelta(days=1), 11, note="经核查合格。")
        at("close", done + datetime.timedelta(days=2), 9)
    elif outcome == "late":
        done = deadline + datetime.timedelta(days=rnd.randint(3, 9))
        if done >= today:
            done = today - datetime.timedelta(days=1)
        full = {"quantity": target[0]} if target else {}
        at("submit_completion", done, 16, note="已完成（逾期）。", percent=100, **full)
        at(
            "pass_review",
            done + datetime.timedelta(days=1)
            if done + datetime.timedelta(days=1) < today
            else done,
            17,
        )
    elif outcome == "open" and deadline - datetime.timedelta(days=5) > first and rnd.random() < 0.4:
        ask = first + datetime.timedelta(days=1)
        if ask < today:
            at(
                "request_extension",
                ask,
                11,
                new_deadline=deadline + datetime.timedelta(days=10),
                reason="需协调配合单位，申请延期10天。",
            )
            at("approve_extension", ask + datetime.timedelta(days=1), 10, note="同意延期。")
    state["outcome"] = outcome


def _passes(plan, first: datetime.date, today: datetime.date) -> None:
    day = first
    while day <= today:
        if day.weekday() in (0, 3):
            plan.add(_at(day, 8), lambda d=day: run_pass(_at(d, 8)))
        day += datetime.timedelta(days=1)


def _items(ctx, today) -> None:
    rnd = random.Random(SEED)
    plan = _Plan()
    first = today - datetime.timedelta(days=120)
    for n, spec in enumerate(DECISIONS):
        start = first + datetime.timedelta(days=7 * n + rnd.randint(0, 3))
        _item_steps(plan, ctx, rnd, spec, start, STRONG if n % 3 else WEAK, today)
    offices = sorted((u for u in ctx["units"].values() if u.kind == Unit.Kind.STREET_OFFICE),
                     key=lambda u: u.code)  # fmt: skip
    for k, office in enumerate(offices):
        weights = STRONG if k % 3 == 0 else WEAK if k % 3 == 1 else (4, 2, 1, 1, 2)
        for m, (title, requirement, days) in enumerate(STREET_ITEMS):
            start = first + datetime.timedelta(days=14 + 30 * m + rnd.randint(0, 20))
            spec = ("区城市管理月度例会", f"{title}（{office.short_name or office.name}）", requirement,
                    office.name, [], "街道办事处主任", "属地牵头，落实到社区网格", days, None)  # fmt: skip
            _item_steps(plan, ctx, rnd, spec, start, weights, today)
    _passes(plan, first, today)
    plan.run()
    interviews = Item.objects.filter(red_count__gte=SupervisionSettings.get().interview_after_reds,
                                     state__in=("assigned", "signed", "in_progress")).order_by("id")[:3]  # fmt: skip
    for item in interviews:
        sv.order_interview(ctx["office"], item, note="约谈牵头单位主要负责人，督促限期整改。",
                           at=_at(today, 10))  # fmt: skip


# --- campaigns -------------------------------------------------------------------------


def _channel(office: Unit, name: str, address: str) -> Channel:
    return Channel.objects.create(unit=office, kind=Channel.Kind.EMAIL, name=name, target=address)


def _rows(campaign, rows, ctx, at):
    CampaignRow.objects.bulk_create(rows)
    created = CampaignRow.objects.filter(campaign=campaign)
    CampaignRowEvent.objects.bulk_create([
        CampaignRowEvent(row=r, at=at, actor_name=ctx["office"].name, action="import",
                         changes={"values": r.values}) for r in created
    ])  # fmt: skip


def _campaigns(ctx, today) -> None:
    rnd = random.Random(SEED + 1)
    office = ctx["office"]
    office_unit = Unit.objects.get(name="区督查局")
    streets = {r.pk: r for r in Region.objects.filter(level=Region.Level.STREET)}
    street_office = {
        u.region_id: u for u in ctx["units"].values() if u.kind == Unit.Kind.STREET_OFFICE
    }
    heads = ctx["heads"]
    now = timezone.now()
    # 1. smart access control, 2019: every compound without property management
    access = create_campaign(
        office, code="access-control-2019", name="无物业小区智能门禁安装（2019）",
        description="无物业管理小区7月30日前完成人脸识别门禁安装，并录入居民信息。",
        deadline="2019-07-30", row_noun="compound", done_field="installed",
        channel=_channel(office_unit, "智能门禁专项工作群", "access-control@example.cn"),
        fields=[{"key": "installed", "label": "已安装门禁", "kind": "bool"},
                {"key": "households", "label": "住户数", "kind": "int"},
                {"key": "enrolled", "label": "已录入人数", "kind": "int"},
                {"key": "rate", "label": "录入率", "kind": "percent"},
                {"key": "note", "label": "备注", "kind": "text"}],
    )  # fmt: skip
    compounds = list(Compound.objects.filter(has_property_management=False)
                     .select_related("community").order_by("code"))  # fmt: skip
    rows = []
    street_list = sorted(streets.values(), key=lambda r: r.code)
    for n in range(max(96, len(compounds))):  # every unmanaged compound, at least 96 rows
        if n < len(compounds):
            c = compounds[n]
            name, street_id, households = c.name, c.community.parent_id, c.households or 150
        else:
            street = street_list[n % len(street_list)]
            name, street_id, households = (
                f"{street.name}无物业小区{n + 1}号（合成）",
                street.pk,
                80 + (n * 37) % 300,
            )
        unit = street_office.get(street_id)
        if unit is None:
            continue
        installed = rnd.random() < 0.92
        enrolled = int(households * (rnd.uniform(0.75, 0.98) if installed else rnd.uniform(0, 0.3)))
        rows.append(CampaignRow(
            campaign=access, key=f"MJ{n + 1:03d}", name=name, street_id=street_id, unit=unit,
            person=heads.get(unit.pk), deadline=datetime.date(2019, 7, 30),
            values={"installed": installed, "households": households, "enrolled": enrolled,
                    "rate": int(100 * enrolled / households)},
            done=installed, done_on=datetime.date(2019, 7, rnd.randint(5, 30)) if installed else None,
            updated_at=now))  # fmt: skip
    _rows(access, rows, ctx, now)
    # 2. environment campaign, 2019: per street ≥ 3 highlights and ≥ 1 highlight road section
    environment = create_campaign(
        office, code="environment-2019", name="环境综合整治亮点打造（2019）",
        description="7月20日前每个街道至少打造3个区级亮点、至少1条亮点路段。",
        deadline="2019-07-20", row_noun="street", done_field="met",
        channel=_channel(office_unit, "环境整治专项工作群", "environment@example.cn"),
        fields=[{"key": "highlights", "label": "区级亮点数（≥3）", "kind": "int"},
                {"key": "road_sections", "label": "亮点路段数（≥1）", "kind": "int"},
                {"key": "met", "label": "达标", "kind": "bool"},
                {"key": "note", "label": "亮点名称", "kind": "text"}],
    )  # fmt: skip
    rows = []
    for n, street in enumerate(street_list):
        unit = street_office.get(street.pk)
        if unit is None:
            continue
        highlights, sections = rnd.choice([2, 3, 3, 4, 5]), rnd.choice([0, 1, 1, 2])
        met = highlights >= 3 and sections >= 1
        rows.append(CampaignRow(
            campaign=environment, key=f"HJ{n + 1:02d}", name=street.name, street=street, unit=unit,
            person=heads.get(unit.pk), deadline=datetime.date(2019, 7, 20),
            values={"highlights": highlights, "road_sections": sections, "met": met},
            done=met, done_on=datetime.date(2019, 7, rnd.randint(1, 20)) if met else None,
            updated_at=now))  # fmt: skip
    _rows(environment, rows, ctx, now)
    # 3. school reopening, 2020: one row per school (283 schools, synthetic names)
    schools = create_campaign(
        office, code="school-reopening-2020", name="学校复学防控准备（2020）",
        description="全区283所学校复学前逐校落实防控准备；五级责任链（教体局、科室、学校、班主任、家长）。",
        deadline="2020-05-06", row_noun="school", done_field="ready",
        channel=_channel(office_unit, "复学专项工作群", "schools@example.cn"),
        fields=[{"key": "plan", "label": "防控方案", "kind": "bool"},
                {"key": "drill", "label": "应急演练", "kind": "bool"},
                {"key": "supplies", "label": "防疫物资到位", "kind": "bool"},
                {"key": "people", "label": "返校师生数", "kind": "int"},
                {"key": "ready", "label": "具备复学条件", "kind": "bool"}],
    )  # fmt: skip
    education = ctx["units"]["区教体局"]
    rows = []
    for n in range(283):
        street = street_list[n % len(street_list)]
        kind = "小学" if n < 180 else "中学" if n < 250 else "幼儿园"
        ready = rnd.random() < 0.985
        rows.append(CampaignRow(
            campaign=schools, key=f"XX{n + 1:03d}", name=f"二七区第{n + 1}{kind}（合成）",
            street=street, unit=education, person=heads.get(education.pk),
            deadline=datetime.date(2020, 5, 6),
            values={"plan": True, "drill": ready or rnd.random() < 0.5, "supplies": ready,
                    "people": 300 + (n * 53) % 900, "ready": ready},
            done=ready, done_on=datetime.date(2020, 5, rnd.randint(1, 6)) if ready else None,
            updated_at=now))  # fmt: skip
    _rows(schools, rows, ctx, now)
    recolour_rows(today, SupervisionSettings.get(), now)


# --- the 陇海路 inspection ----------------------------------------------------------------


def _inspection(ctx, today) -> None:
    road = Road.objects.filter(name="陇海路").first()
    if road is None:
        return
    sections = list(road.sections.select_related("street").order_by("seq"))
    offices = {u.region_id: u for u in ctx["units"].values() if u.kind == Unit.Kind.STREET_OFFICE}
    leader = actor_for(ctx["leaders"][0])
    day = today - datetime.timedelta(days=21)
    found = [
        ("C0307", "case", "沿街门头招牌破损、字体残缺，立面脏污", 5),
        ("C0405", "case", "桥下节点绿地植被缺失、黄土裸露", 7),
        ("E0102", "case", "桥下垃圾杂物堆放占用人行道", 2),
        ("C0307", "case", "户外广告牌匾褪色破损", 5),
        (None, "item", "街角游园设施缺失，需增设座椅和照明", 20),
        (None, "item", "便民服务设施（报刊亭、公厕指示）不规范", 15),
    ]
    problems = []
    for n, (category, outcome, text, days) in enumerate(found):
        section = sections[n % len(sections)] if sections else None
        if section is None:
            return
        point = section.geometry.interpolate(0.3 + 0.1 * (n % 4), normalized=True)
        unit = offices.get(section.street_id) if section.street_id else None
        unit = unit or ctx["units"]["区城管局"]
        if outcome == "item":
            unit = ctx["units"]["区城管局"]
        problems.append({"text": f"陇海路{section.name}：{text}", "lon": point.x, "lat": point.y,
                         "unit": unit, "deadline": deadline_after(day, days), "outcome": outcome,
                         "category": category, "photo": _photo(), "person": ctx["heads"].get(unit.pk)})  # fmt: skip
    record_inspection(leader, title="陇海路逐段现场督查", on=day, road=road,
                      note="立面、绿化、桥下节点、街角游园、便民设施逐段查看，现场落实责任单位，限期整改。",
                      problems=problems, at=_at(day, 10))  # fmt: skip


def build(report=None) -> dict:
    """Build the supervision demo unless it is there; returns counts for the demo report."""
    if Campaign.objects.filter(code="access-control-2019").exists():
        return {}
    today = timezone.localdate()
    with transaction.atomic():
        ctx = _people(report)
        config = SupervisionSettings.get()
        config.office = Unit.objects.get(name="区督查局")
        config.save()
        _channel(config.office, "区督查局工作群", "duchaju@example.cn")
    _items(ctx, today)
    with transaction.atomic():
        _campaigns(ctx, today)
    _inspection(ctx, today)
    counts = {
        "supervised items": Item.objects.count(),
        "campaign rows": CampaignRow.objects.count(),
    }
    if report is not None:
        report.counts.update(counts)
    return counts


__all__ = ["build", "working_days_between"]
