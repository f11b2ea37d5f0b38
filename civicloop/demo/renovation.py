"""The Erqi renovation programme of the demo: 467 compounds, 264 + 203, and the 绿云小区 pilot.

Facts from DOMAIN.md: 467 old compounds, 264 by the end of December 2020 and
203 by the end of June 2021; classes 品质型 / 改善型; bid sections; 一拆五改三增;
the named compounds (real names, synthetic geometry); 绿云小区 pilots
群众下单、政府接单、多元参与做单 with 一征三议两公开; 连心胡同 adopted by a people's
deputy became 百顺小院. Everything else — the other 456 compounds, the people,
the households, quantities and money — is synthetic and labelled so
(``is_synthetic``, "合成" in names and notes).

Deterministic (one seeded ``random.Random``), bulk inserts for the ledger,
the real ``do_*`` actions for the pilot. Idempotent: nothing is done when the
programme exists.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import shapely
from django.contrib.auth import get_user_model
from django.db import transaction

from civicloop.geo.models import Compound, GeoDataVersion, Region
from civicloop.org.actors import actor_for
from civicloop.org.models import Membership, Person, Role, Unit
from civicloop.renovation.actions import households, items, orders, stages, votes
from civicloop.renovation.menu import seed as seed_menu
from civicloop.renovation.models import (
    Batch,
    Funding,
    Programme,
    Project,
    Stage,
    Vote,
    WorkItem,
    WorkType,
)
from civicloop.renovation.rules import Resident

from .builder import demo_password, password_hash

CODE = "LJXQ2020"
TOTAL, FIRST = 467, 264
PILOT = "绿云小区"
LIANXIN = "连心胡同（百顺小院）"
# Named compounds and their batch (the sources say which ones came first only for some).
NAMED_BATCH = {"绿云小区": 1, "勤劳街3号院": 1, "连心胡同（百顺小院）": 1, "瑞光片区": 1,
               "航海小区": 2, "政通路53号院": 1, "豪邦花园": 2, "桃源路47号院": 2,
               "桃源路48号院": 2, "长江花园": 1, "古建所家属院": 2}  # fmt: skip
RURAL = {"101", "201", "401"}  # 马寨镇, 侯寨乡, 樱桃沟: no old town compounds
TZ = datetime.timezone(datetime.timedelta(hours=8))


def _at(y, m, d, h=10) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, 0, tzinfo=TZ)


def build(stdout=None, seed: int = 2020) -> dict:
    """Build the programme (unless present); returns counts and the logins it added."""
    if Programme.objects.filter(code=CODE).exists() or not Region.objects.filter(
            code="410103").exists():  # fmt: skip
        return {}
    rng = random.Random(seed)
    with transaction.atomic():
        seed_menu()  # a flushed database (tests) has lost the migration's menu
        people = _people()
        programme, batches = _programme()
        compounds = _compounds(rng)
        projects = _projects(rng, programme, batches, compounds)
        _items(rng, projects)
        _pilot(people, projects)
        _lianxin(people, projects)
    counts = {"compounds": len(projects), "items": WorkItem.objects.count()}
    if stdout is not None:
        first = sum(1 for p in projects.values() if p.batch_id == batches[1].pk)
        stdout.write(f"  老旧小区改造: {len(projects)} 个小区（第一批 {first}，第二批 "
                     f"{len(projects) - first}），{counts['items']} 个工作项")  # fmt: skip
        for username, role in (("renovation01", "改造办"), ("community01", "社区工作者（绿云小区）"),
                               ("adopter01", "认领单位（区文明办）"), ("deputy01", "人大代表（合成）")):  # fmt: skip
            stdout.write(f"  {username:<16} {role}")
    return counts


# --- people -------------------------------------------------------------------------


def _people() -> dict:
    password = password_hash(demo_password())
    users = get_user_model().objects
    pilot = Compound.objects.select_related("community").get(name=PILOT)
    units = {
        "office": Unit.objects.get(name="区住房保障中心"),
        "civilization": Unit.objects.get(name="区文明办"),
        "city": Unit.objects.get(name="区城管局"),
        "property": Unit.objects.get(name="物业公司（示例）"),
    }
    units["committee"] = Unit.objects.create(
        code="JW-LY", name=f"{pilot.community.name}居委会", short_name="居委会",
        kind=Unit.Kind.OTHER, region=pilot.community, note="合成：演示用社区居委会")  # fmt: skip
    units["deputies"] = Unit.objects.create(
        code="RD-LLZ", name="区人大代表联络站（合成）", short_name="人大代表联络站",
        kind=Unit.Kind.OTHER, note="合成：演示用")  # fmt: skip
    units["civilized"] = Unit.objects.create(
        code="WMDW-01", name="市级文明单位（合成）", short_name="文明单位", kind=Unit.Kind.OTHER,
        note="合成：演示用文明单位")  # fmt: skip
    people = {}
    for key, username, name, unit, role in (
        ("officer", "renovation01", "改造办干部（合成）", "office", Role.RENOVATION_OFFICER),
        ("worker", "community01", "社区书记（合成）", "committee", Role.COMMUNITY_WORKER),
        ("adopter", "adopter01", "文明办干部（合成）", "civilization", Role.ADOPTER),
        ("civilized", "adopter02", "文明单位负责人（合成）", "civilized", Role.ADOPTER),
        ("company", "adopter03", "物业公司经理（合成）", "property", Role.ADOPTER),
        ("deputy", "deputy01", "区人大代表（合成）", "deputies", Role.ADOPTER),
    ):  # fmt: skip
        user, _c = users.get_or_create(username=username)
        user.password, user.is_active = password, True
        user.save()
        person = Person.objects.create(name=name, user=user, is_synthetic=True)
        Membership.objects.create(person=person, unit=units[unit], role=role)
        people[key] = (person, actor_for(user))
    people["units"] = units
    return people


# --- ledger --------------------------------------------------------------------------


def _programme():
    programme = Programme.objects.create(
        code=CODE, name="二七区老旧小区改造（2020—2021）",
        description="467个老旧小区：第一批264个2020年12月底前完成，第二批203个2021年6月底前完成。"
        "一拆五改三增。")  # fmt: skip
    first = Batch.objects.create(programme=programme, seq=1, name="第一批（264个）",
                                 starts_on=datetime.date(2020, 3, 1),
                                 deadline=datetime.date(2020, 12, 31))  # fmt: skip
    second = Batch.objects.create(programme=programme, seq=2, name="第二批（203个）",
                                  starts_on=datetime.date(2020, 9, 1),
                                  deadline=datetime.date(2021, 6, 30))  # fmt: skip
    return programme, {1: first, 2: second}


def _compounds(rng) -> list[Compound]:
    """The 11 named compounds of the builder and 456 synthetic ones in the old-town communities."""
    named = list(Compound.objects.filter(name__in=NAMED_BATCH).select_related("community"))
    communities = list(
        Region.objects.filter(level=Region.Level.COMMUNITY, kind=Region.Kind.COMMUNITY)
        .exclude(parent__code__in=[f"410103{s}" for s in RURAL]).select_related("parent")
        .order_by("code")
    )  # fmt: skip
    rows = []
    per = -(-(TOTAL - len(named)) // len(communities))
    n = 0
    for community in communities:
        minx, miny, maxx, maxy = community.geometry.bounds
        w, h = (maxx - minx), (maxy - miny)
        for k in range(per):
            if len(named) + len(rows) >= TOTAL:
                break
            n += 1
            x0 = minx + w * (0.04 + 0.19 * k)
            y0 = miny + h * (0.68 + 0.04 * (k % 2))
            compound = Compound(
                code=f"HC{n:04d}", name=f"{community.parent.name[:3]}合成{n:03d}号院",
                community=community, households=rng.randrange(48, 420),
                built_year=rng.randrange(1978, 2001),
                has_property_management=rng.random() < 0.4, is_synthetic=True,
                note="合成：演示用虚构小区，非真实小区",
            )  # fmt: skip
            compound.geometry = shapely.box(x0, y0, x0 + w * 0.15, y0 + h * 0.2)
            rows.append(compound)
    Compound.objects.bulk_create(rows, batch_size=500)
    GeoDataVersion.bump()
    return named + list(
        Compound.objects.filter(code__in=[c.code for c in rows]).select_related("community")
    )


def _projects(rng, programme, batches, compounds) -> dict:
    named = [c for c in compounds if c.name in NAMED_BATCH]
    synthetic = [c for c in compounds if c.name not in NAMED_BATCH]
    first_named = sum(1 for c in named if NAMED_BATCH[c.name] == 1)
    order = list(synthetic)
    rng.shuffle(order)
    first_synthetic = set(c.code for c in order[: FIRST - first_named])
    rows = []
    for index, c in enumerate(sorted(compounds, key=lambda c: c.code)):
        batch = NAMED_BATCH.get(c.name) or (1 if c.code in first_synthetic else 2)
        quality = c.name in (PILOT, "勤劳街3号院", "长江花园", "航海小区") or rng.random() < 0.3
        level = (rng.choice(["complete", "upgrade"]) if quality
                 else rng.choice(["basic", "basic", "complete"]))  # fmt: skip
        section = index // 12 + 1
        rows.append(Project(
            programme=programme, batch=batches[batch], compound=c,
            project_class="quality" if quality else "improvement", level=level,
            approach=rng.choice(["area", "road", "block", "area"]),
            bid_section=f"第{section}标段", contractor=f"第{section}标段施工单位（合成）",
            is_pilot=c.name == PILOT,
            note="连心胡同经人大代表认领改造，成为“百顺小院”。" if c.name == LIANXIN else "",
        ))  # fmt: skip
    Project.objects.bulk_create(rows, batch_size=500)
    projects = {p.compound.name: p for p in Project.objects.filter(programme=programme)
                .select_related("compound__community", "batch")}  # fmt: skip
    Stage.objects.bulk_create([Stage(project=p, kind=kind, seq=seq,
                                     state=Stage.State.PENDING if p.is_pilot else Stage.State.DONE,
                                     held_on=None if p.is_pilot else p.batch.starts_on)
                               for p in projects.values()
                               for seq, kind in enumerate(Stage.ORDER, start=1)], batch_size=1000)  # fmt: skip
    return projects


def _items(rng, projects):
    menu = {w.code: w for w in WorkType.objects.all()}
    core = ["D01", "R01", "R02", "R03", "R04", "R05"]
    adds = ["A01", "A02", "A03", "S01", "S02", "S03", "S04"]
    rows, funding = [], []
    for project in projects.values():
        if project.is_pilot:
            continue
        codes = rng.sample(core, rng.randrange(3, 6))
        if project.project_class == "quality":
            codes += rng.sample(adds, rng.randrange(2, 4))
        # Most compounds finished by their deadline; some lag (late, red), as in any programme.
        done = rng.random() < (0.93 if project.batch.seq == 1 else 0.86)
        total = Decimal(0)
        for code in codes:
            kind = menu[code]
            budget = Decimal(rng.randrange(8, 120)) / 2
            total += budget
            pct = 100 if done or rng.random() < 0.5 else rng.choice([40, 60, 75, 85, 90, 95])
            rows.append(WorkItem(
                project=project, work_type=kind, title=kind.name, budget=budget,
                quantity=Decimal(rng.randrange(1, 60)) * (20 if kind.measure in ("㎡", "米") else 1),
                progress=pct, state=WorkItem.State.DONE if pct == 100 else WorkItem.State.UNDERWAY,
            ))  # fmt: skip
        funding.append(Funding(project=project, source="higher", amount=total * Decimal("0.8"),
                               note="中央及省级补助资金（合成金额）"))  # fmt: skip
        funding.append(Funding(project=project, source="maintenance" if rng.random() < 0.5
                               else "residents", amount=total * Decimal("0.2"), note="合成金额"))  # fmt: skip
    WorkItem.objects.bulk_create(rows, batch_size=1000)
    Funding.objects.bulk_create(funding, batch_size=1000)
    done = {p.pk for p in projects.values() if not p.is_pilot}
    late = set(WorkItem.objects.filter(project_id__in=done).exclude(state=WorkItem.State.DONE)
               .values_list("project_id", flat=True))  # fmt: skip
    Project.objects.filter(pk__in=done - late).update(state=Project.State.COMPLETED)
    Project.objects.filter(pk__in=late).update(state=Project.State.UNDERWAY)


# --- the pilot ----------------------------------------------------------------------------


def _pilot(people, projects):
    """绿云小区: codes, orders, review, 一征三议两公开, a finished vote, taking, adoptions, ratings."""
    project = projects[PILOT]
    officer = people["officer"][1]
    worker = people["worker"][1]
    labels = [f"{b}-{u}-{f}0{r}" for b in (1, 2, 3) for u in (1, 2) for f in (1, 2, 3, 4, 5)
              for r in (1, 2)][:48]  # fmt: skip
    issued = households.do_issue_codes(worker, "community_worker", project, labels,
                                       at=_at(2020, 4, 1))  # fmt: skip
    residents = [Resident(household=h, code=code) for h, code in issued]
    wishes = [
        ("R04", "小区道路坑洼，雨天积水", _at(2020, 4, 3)),
        ("S04", "停车位不够，电动车乱停", _at(2020, 4, 3, 15)),
        ("S01", "老人多，想要一个日间照料室", _at(2020, 4, 5)),
        ("A03", "没有门禁，外来人员随意进出", _at(2020, 4, 6)),
        ("R05", "绿地荒了，想种些花木", _at(2020, 4, 7)),
        ("S04", "希望增加充电桩和车棚", _at(2020, 4, 8)),
        ("", "楼顶想加建阳光房", _at(2020, 4, 9)),
        ("S03", "想要一个孩子们能看书的地方", _at(2020, 4, 12)),
    ]
    menu = {w.code: w for w in WorkType.objects.all()}
    placed = []
    for n, (code, text, at) in enumerate(wishes):
        kind = menu.get(code)
        placed.append(orders.do_place_order(residents[n * 5], project, kind,
                                            kind.name if kind else "加建阳光房", text, at=at))  # fmt: skip
    road, parking, elderly, gate, green, charging, sunroom, study = placed
    review = _at(2020, 4, 15)
    for order in (road, parking, elderly, gate, green):
        orders.do_review(worker, "community_worker", order, "accept_order", "accepted", None,
                         at=review)  # fmt: skip
    orders.do_review(worker, "community_worker", charging, "merge_order", "merged", None,
                     merged_into=parking, note=parking.title, at=review)  # fmt: skip
    orders.do_review(worker, "community_worker", sunroom, "decline_order", "declined", None,
                     decline_reason="楼顶加建属于违法建设，按“一拆”要求不能建设；可在“城市书房”中统筹活动空间。",
                     at=review)  # fmt: skip
    # 一征三议两公开
    all_stages = {s.kind: s for s in Stage.objects.filter(project=project)}
    minutes = {
        "collect": (_at(2020, 4, 12), "入户走访和意见箱征集居民意见86条，整理为8项“订单”。"),
        "propose": (_at(2020, 4, 18), "社区党组织提出改造方案初稿：道路、停车、养老、门禁、绿化。"),
        "joint": (
            _at(2020, 4, 25),
            "社区、业委会、物业公司、设计公司四方协同会议，逐项讨论方案与造价。",
        ),
        "resolve": (_at(2020, 5, 16), "居民表决通过改造方案（户代表投票，见表决结果）。"),
        "decision": (
            _at(2020, 5, 18),
            "公示改造方案：改道路、增停车位、建日间照料室、装智能门禁、改绿化。",
        ),
    }
    vote = None
    for kind in ("collect", "propose", "joint", "resolve", "decision"):
        stage = all_stages[kind]
        at, text = minutes[kind]
        stages.do_open_stage(worker, "community_worker", stage, at=at - datetime.timedelta(days=3))
        if kind == "resolve":
            vote = _pilot_vote(worker, project, [road, parking, elderly, gate, green], residents)
        stages.do_complete_stage(worker, "community_worker", stage, at.date(), text,
                                 text if kind == "decision" else "", at=at)  # fmt: skip
    # 接单 and 做单: the office takes the orders; units and the property company adopt them.
    taken = {}
    for order, budget in (
        (road, "68"),
        (parking, "35"),
        (elderly, "42"),
        (gate, "18"),
        (green, "22"),
    ):
        order.refresh_from_db()
        taken[order.pk] = orders.do_take_order(officer, "renovation_officer", order, project,
                                               order.title, Decimal(budget), Decimal(1),
                                               at=_at(2020, 5, 20))  # fmt: skip
    adopters = [
        (road, "city", "adopter", "public", Decimal(20), "道路设计与施工监督", ""),
        (parking, "property", "company", "company", Decimal(5), "停车管理", "停车位规划"),
        (elderly, "civilized", "civilized", "civilized", Decimal(15), "志愿者助老服务", ""),
        (gate, "civilization", "adopter", "public", Decimal(6), "", ""),
    ]  # fmt: skip
    for order, unit, who, kind, money, labour, design in adopters:
        item = WorkItem.objects.select_related("project__compound").get(pk=taken[order.pk].pk)
        items.do_adopt_item(people[who][1], "adopter", item, people["units"][unit], kind, money,
                            labour, design, people[who][0], at=_at(2020, 5, 25))  # fmt: skip
    # Delivery and ratings: the road was rated low once and redone; the gate is still under way.
    from civicloop.core.images import check_image

    photo = check_image(_photo())
    for order, who in ((road, "adopter"), (parking, "company"), (elderly, "civilized")):
        item = WorkItem.objects.select_related("project__compound").get(pk=taken[order.pk].pk)
        items.do_deliver_item(people[who][1], "adopter", item, [photo], "完工", at=_at(2020, 9, 30))
        stars = [2, 2, 3] if order is road else [5, 4, 5, 5]
        for n, star in enumerate(stars):
            item.refresh_from_db()
            if item.state not in ("delivered", "done"):
                break
            items.do_rate_item(residents[n], item, star, "积水没有完全解决" if star < 3 else "满意",
                               at=_at(2020, 10, 3))  # fmt: skip
        item.refresh_from_db()
        if item.state == WorkItem.State.RETURNED:
            items.do_deliver_item(people[who][1], "adopter", item, [photo], "重新找坡、疏通雨水口",
                                  at=_at(2020, 10, 20))  # fmt: skip
            for n, star in enumerate([5, 4, 5]):
                item.refresh_from_db()
                items.do_rate_item(residents[10 + n], item, star, "这次好了", at=_at(2020, 10, 25))
    gate_item = WorkItem.objects.get(pk=taken[gate.pk].pk)
    WorkItem.objects.filter(pk=gate_item.pk).update(progress=70)
    green_item = WorkItem.objects.get(pk=taken[green.pk].pk)
    WorkItem.objects.filter(pk=green_item.pk).update(progress=100, state=WorkItem.State.DONE)
    items.refresh_project_state(Project.objects.get(pk=project.pk))
    Funding.objects.bulk_create([
        Funding(project=project, source="higher", amount=Decimal("120"), note="上级补助（合成金额）"),
        Funding(project=project, source="maintenance", amount=Decimal("25"), note="维修资金（合成金额）"),
        Funding(project=project, source="residents", amount=Decimal("8"), note="居民自筹（合成金额）"),
        Funding(project=project, source="cobuilding", amount=Decimal("46"), note="共建单位（认领）"),
    ])  # fmt: skip
    return vote


def _pilot_vote(worker, project, questions, residents) -> Vote:
    opens, closes = _at(2020, 5, 9, 8), _at(2020, 5, 16, 20)
    vote = votes.do_create_vote(worker, "community_worker", project, "绿云小区改造方案表决", opens,
                                closes, questions, [], Decimal("0.667"), Decimal("0.5"),
                                at=_at(2020, 5, 6))  # fmt: skip
    votes.do_open_vote(worker, "community_worker", vote, at=opens)
    ids = list(vote.questions.order_by("seq").values_list("pk", flat=True))
    rng = random.Random(516)
    for n, resident in enumerate(residents[:41]):  # 41 of 48 households voted
        answers = {}
        for k, qid in enumerate(ids):
            against = 0.08 if k != 2 else 0.2
            r = rng.random()
            answers[qid] = (
                "against" if r < against else ("abstain" if r < against + 0.05 else "for")
            )
        votes.do_cast_vote(resident, vote, answers, at=opens + datetime.timedelta(hours=n * 3))
    votes.do_change_vote(
        residents[3], vote, {qid: "for" for qid in ids}, at=closes - datetime.timedelta(hours=5)
    )
    votes.do_close_vote(worker, "community_worker", vote, at=closes + datetime.timedelta(minutes=5))
    return vote


def _lianxin(people, projects):
    """连心胡同: adopted by a people's deputy (synthetic person), became 百顺小院."""
    project = projects.get(LIANXIN)
    if project is None:
        return
    deputy_person, deputy = people["deputy"]
    WorkItem.objects.filter(project=project).update(progress=100, state=WorkItem.State.DONE)
    item = items.do_add_item(people["officer"][1], "renovation_officer", project, None,
                             "百顺小院微改造（院落美化、文化墙）", Decimal(1), Decimal(12), 0,
                             at=_at(2020, 6, 1))  # fmt: skip
    items.do_adopt_item(deputy, "adopter", item, people["units"]["deputies"], "deputy",
                        Decimal(3), "代表带领居民义务劳动", "“百顺”主题文化墙设计", deputy_person,
                        at=_at(2020, 6, 5))  # fmt: skip
    from civicloop.core.images import check_image

    item = WorkItem.objects.select_related("project__compound").get(pk=item.pk)
    items.do_deliver_item(deputy, "adopter", item, [check_image(_photo((120, 160, 90)))],
                          "连心胡同改造完成，更名“百顺小院”", at=_at(2020, 8, 28))  # fmt: skip
    WorkItem.objects.filter(pk=item.pk).update(state=WorkItem.State.DONE)
    Stage.objects.filter(project=project, kind="result").update(
        published_text="连心胡同由区人大代表认领改造，院落焕然一新，居民将其命名为“百顺小院”。"
    )
    items.refresh_project_state(Project.objects.get(pk=project.pk))


def _photo(color=(90, 140, 200)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()
