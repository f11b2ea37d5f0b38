"""From a report's text to draft supervision items.

The steps, each in its own module:

1. split into sentences and clauses (:mod:`.sentences`), offsets kept;
2. drop sentences that report what was done (截至…已…, 共出动…, 目前已解决…,
   会议听取了…汇报) or state a rule (根据规定…, 今后凡…, 对注册一年以内…的企业);
3. read each clause: deadlines (:mod:`.deadlines`), quantities
   (:mod:`.quantities`), scopes (:mod:`.scopes`), units (:mod:`.units`), and
   whether it commits someone (要/须/确保/力争/将…) to a concrete action
   (完成/建成/打造/实现/整治…);
4. group clauses into items. A clause that only sets a deadline ("10月底前")
   or names a lead unit ("区住房保障中心牵头") opens the next item; a clause
   that names a supporting unit ("由区城管局牵头负责", "区工商质监局配合")
   adds that unit to the item before it. A clause starts a new item when it
   brings a second deadline, a second quantity or a subject of its own
   ("每个街道至少打造1条精品路段"); the new item keeps the sentence's
   deadline and subject when it has none ("…不少于1000人，完成线上招聘会不少于5场").

Every field carries the offsets of the characters it was read from.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from .deadlines import DeadlineMatch, WorkdayTest, find_deadlines
from .quantities import QuantityMatch, find_quantities
from .registry import Registry, Target
from .scopes import ScopeMatch, find_scopes
from .sentences import Span, clauses, sentences
from .text import check_text, is_chinese, normalise
from .units import UnitMatch, UnitMatcher

_REPORT_SENTENCE = re.compile(
    r"^(?:截至|截止|今年以来|年初以来|近年来|近期|据悉|据了解|据统计|目前|至此|以来)|"
    r"已(?:经|于|累计|完成|解决|建成|实现|整改|清理|拆除|办结|全部|基本)|累计|共计|"
    r"^共[\u4e00-\u9fff]|听取|汇报|给予肯定|取得(?:了)?(?:明显|显著|阶段性)?成效|得到(?:了)?有效|明显好转"
)
_RULE_SENTENCE = re.compile(
    r"^(?:根据|按照|依据|依照)[^，,]*(?:规定|办法|要求|通知)|今后|^凡|[，,]凡|^对[^，,]*的[^，,]*[，,]"
)
_FRAME_CLAUSE = re.compile(
    r"^(?:会议|会上|会议上|下一步|同时|此外|另外|其中|最后|首先|其次|为此|对此)?"
    r"(?:要求|强调|指出|明确|提出|决定|认为|部署|安排)?$"
    r"|召开|主持|作出部署|作出安排|部署如下|出席|参加会议|会议指出|会议强调|会议要求"
)
_LEADING = re.compile(
    r"(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、]|[（(]?[一二三四五六七八九十\d]+[）)、.]|并|同时|还|另外|此外|由)+"
)
_COMMIT = re.compile(
    r"(?<![纪主重摘提简])要(?![求点闻素])|须|需|必须|务必|确保|力争|争取|将|应当|应|计划|拟|抓紧|尽快|限期|按时|按期"
)
_ACTION = re.compile(
    r"完成|建成|建设|打造|实现|整治|改造|拆除|更换|加装|安装|新增|建立|排查|摸排|摸底|检查|清理|启动|"
    r"推进|开展|配备|招聘|托管|覆盖|验收|完工|上报|报送|整改|提升|更新|储备|调整|设置|施划|治理|修复|"
    r"修缮|清运|清除|铺设|种植|绿化|亮化|调试|设计|评估|制定|出台|组织|培训|宣传|查处|取缔|规范|达到|"
    r"保持|落实|签订|编制|申报|创建|筹建|销号|报|增设|配建|新建|发放|治理|通过|拆违|清零|交付|投用"
)
_SUPPORT = re.compile(r"牵头|配合|负责|督导|会同|协助|协调|指导")
_VAGUE = re.compile(r"重视|认识|支持|关注|思想|担当|作风")


@dataclass
class UnitRef:
    """A responsible unit of an item."""

    name: str
    id: int
    confidence: float
    start: int
    end: int


@dataclass
class Item:
    """A draft supervision item; offsets index the text given to :func:`extract`."""

    sentence: str
    sentence_start: int
    sentence_end: int
    requirement: str
    start: int
    end: int
    deadline: datetime.date | None = None
    deadline_provisional: bool = False
    deadline_span: tuple[int, int] | None = None
    quantity: int | float | None = None
    quantity_unit: str = ""
    quantity_measure: str = ""
    at_least: bool = False
    quantity_span: tuple[int, int] | None = None
    per: str | None = None
    per_span: tuple[int, int] | None = None
    targets: list[Target] = field(default_factory=list)
    units: list[UnitRef] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The JSON shape of ``manage.py extract_items``."""
        return {
            "sentence": self.sentence,
            "requirement": self.requirement,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_provisional": self.deadline_provisional,
            "quantity": self.quantity,
            "quantity_unit": self.quantity_unit,
            "quantity_measure": self.quantity_measure,
            "at_least": self.at_least,
            "per": self.per,
            "targets": [t.name for t in self.targets],
            "target_refs": [
                {"name": t.name, "id": t.id, "unit_id": t.unit_id} for t in self.targets
            ],
            "units": [
                {
                    "name": u.name,
                    "id": u.id,
                    "confidence": u.confidence,
                    "start": u.start,
                    "end": u.end,
                }
                for u in self.units
            ],
            "start": self.start,
            "end": self.end,
            "spans": {
                "sentence": [self.sentence_start, self.sentence_end],
                "deadline": list(self.deadline_span) if self.deadline_span else None,
                "quantity": list(self.quantity_span) if self.quantity_span else None,
                "per": list(self.per_span) if self.per_span else None,
            },
        }


@dataclass
class _Clause:
    span: Span
    deadline: DeadlineMatch | None
    event_deadline: bool
    quantity: QuantityMatch | None
    scope: ScopeMatch | None
    units: list[UnitMatch]
    commit: bool
    action: bool
    support: bool
    vague: bool
    own_subject: bool


@dataclass
class _Draft:
    start: int
    end: int
    deadline: DeadlineMatch | None = None
    quantity: QuantityMatch | None = None
    scope: ScopeMatch | None = None
    units: list[UnitMatch] = field(default_factory=list)
    commit: bool = False
    action: bool = False
    inherited_subject: bool = False

    def take(self, clause: _Clause, *, scope: bool = True) -> None:
        self.start = min(self.start, clause.span.start)
        self.end = max(self.end, clause.span.end)
        self.deadline = self.deadline or clause.deadline
        self.quantity = self.quantity or clause.quantity
        if scope and clause.scope and not self.scope:
            self.scope = clause.scope
        self.add_units(clause.units)
        self.commit = self.commit or clause.commit
        self.action = self.action or clause.action

    def add_units(self, units: list[UnitMatch]) -> None:
        for u in units:
            if not u.recipient and all(x.unit.id != u.unit.id for x in self.units):
                self.units.append(u)


def _read_clause(
    text: str,
    span: Span,
    report: datetime.date,
    matcher: UnitMatcher,
    is_workday: WorkdayTest | None,
) -> _Clause:
    deadlines = find_deadlines(text, span.start, span.end, report, is_workday)
    dated = [d for d in deadlines if d.date is not None]
    blocked = [(d.start, d.end) for d in deadlines]
    units = matcher.find(text, span.start, span.end)
    blocked += [(u.start, u.end) for u in units]
    quantities = find_quantities(text, span.start, span.end, blocked)
    scopes = find_scopes(text, span.start, span.end)
    body = text[span.start : span.end]
    first_verb = _ACTION.search(body)
    first_commit = _COMMIT.search(body)
    cut = min(
        m.start() for m in (first_verb, first_commit) if m is not None
    ) if (first_verb or first_commit) else len(body)  # fmt: skip
    own_subject = any(u.start - span.start < cut and not u.recipient for u in units) or any(
        s.start - span.start < cut for s in scopes
    )
    action_text = body
    for d in deadlines:  # "通过验收" counts; "前" in a deadline does not
        action_text = action_text.replace(text[d.start : d.end], "")
    return _Clause(
        span=span,
        deadline=dated[0] if dated else None,
        event_deadline=bool(deadlines) and not dated,
        quantity=quantities[0] if quantities else None,
        scope=scopes[0] if scopes else None,
        units=units,
        commit=bool(first_commit),
        action=bool(_ACTION.search(action_text)),
        support=bool(_SUPPORT.search(body)),
        vague=bool(_VAGUE.search(body)),
        own_subject=own_subject,
    )


def _finish(
    draft: _Draft, text: str, sentence: Span, registry: Registry, street_ids: list[int]
) -> Item | None:
    if not (draft.action or draft.quantity):
        return None
    if not (draft.commit or draft.deadline or draft.quantity):
        return None
    start = draft.start
    lead = _LEADING.match(text, start, draft.end)
    if lead and lead.end() < draft.end:
        start = lead.end()
    item = Item(
        sentence=sentence.value,
        sentence_start=sentence.start,
        sentence_end=sentence.end,
        requirement=text[start : draft.end],
        start=start,
        end=draft.end,
    )
    if draft.deadline:
        item.deadline = draft.deadline.date
        item.deadline_provisional = draft.deadline.provisional
        item.deadline_span = (draft.deadline.start, draft.deadline.end)
    if draft.quantity:
        q = draft.quantity
        item.quantity = q.value
        item.quantity_unit = q.unit
        item.quantity_measure = q.measure
        item.at_least = q.at_least
        item.quantity_span = (q.start, q.end)
    if draft.scope:
        item.per = draft.scope.per
        item.per_span = (draft.scope.start, draft.scope.end)
        item.targets = registry.targets(draft.scope.per, within=street_ids)
    item.units = [
        UnitRef(u.unit.name, u.unit.id, u.confidence, u.start, u.end) for u in draft.units
    ]
    return item


def _sentence_items(
    text: str,
    sentence: Span,
    report: datetime.date,
    registry: Registry,
    matcher: UnitMatcher,
    is_workday: WorkdayTest | None,
) -> list[Item]:
    if not is_chinese(sentence.value):
        return []
    if _REPORT_SENTENCE.search(sentence.value) or _RULE_SENTENCE.search(sentence.value):
        return []
    parts = [_read_clause(text, c, report, matcher, is_workday) for c in clauses(text, sentence)]
    streets = [
        u.unit.region_id
        for c in parts
        for u in c.units
        if u.unit.kind == "street_office" and u.unit.region_id
    ]
    drafts: list[_Draft] = []
    pending: list[_Clause] = []
    current: _Draft | None = None
    for c in parts:
        body = c.span.value
        if _FRAME_CLAUSE.search(body) and not (c.quantity or c.scope):
            continue
        if c.event_deadline and not c.deadline:
            continue  # a rule inside the sentence: 发现问题3个工作日内整改到位
        has_fields = c.deadline or c.quantity
        if c.support and not has_fields and c.units:
            if current is not None:
                current.add_units(c.units)  # 由区城管局牵头负责, 区工商质监局配合
            else:
                pending.append(c)  # 区住房保障中心牵头，…
            continue
        if not c.action and not c.quantity:
            if c.vague:
                continue  # 要高度重视, 区直各部门要积极配合
            if current is None:
                pending.append(c)  # 10月底前，… / 区城管局要会同各镇办，…
            elif c.deadline and not current.deadline:
                current.take(c)
            continue
        if current is None:
            current = _Draft(c.span.start, c.span.end)
            for p in pending:
                current.take(p)
            pending = []
            current.take(c)
            continue
        conflict = (
            (c.deadline and current.deadline)
            or (c.quantity and current.quantity)
            or (c.own_subject and current.action)
        )
        if not conflict:
            current.take(c)
            continue
        drafts.append(current)
        previous = current
        current = _Draft(c.span.start, c.span.end)
        current.take(c)
        if not current.deadline:
            current.deadline = previous.deadline
        if not c.own_subject:
            current.scope = current.scope or previous.scope
            if not c.scope:  # 实现每个街道至少1个: the rows are the streets'
                current.add_units(previous.units)
    if current is not None:
        drafts.append(current)
    items = []
    for d in drafts:
        item = _finish(d, text, sentence, registry, streets)
        if item is not None:
            items.append(item)
    return items


def extract(
    text: str,
    report_date: datetime.date,
    registry: Registry | None = None,
    *,
    is_workday: WorkdayTest | None = None,
    matcher: UnitMatcher | None = None,
    check: bool = True,
) -> list[Item]:
    """Draft items found in ``text``, a report dated ``report_date``.

    ``registry`` defaults to :meth:`Registry.from_database`. ``is_workday``
    defaults to the work calendar of :mod:`civicloop.worktime`. With
    ``check`` the text is first checked (:func:`.text.check_text`: empty,
    too long, not Chinese raise :class:`.text.TextError`).
    """
    if check:
        check_text(text)
    if registry is None:
        registry = Registry.from_database()
    matcher = matcher or UnitMatcher(registry)
    normal = normalise(text)
    items: list[Item] = []
    for sentence in sentences(normal):
        for item in _sentence_items(normal, sentence, report_date, registry, matcher, is_workday):
            # Report the original characters (normalisation keeps offsets).
            item.sentence = text[item.sentence_start : item.sentence_end]
            item.requirement = text[item.start : item.end]
            items.append(item)
    return items
