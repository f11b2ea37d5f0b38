"""Responsible units named in the text, matched to the registry with a confidence.

Confidence by how the mention was found:

* 1.0 the unit's name (区城管局), or the name with the district in front (二七区城管局);
* 0.95 a street office by its street (淮河路街道 → 淮河路街道办事处, 马寨镇 → 马寨镇人民政府);
* 0.9 the unit's short name (城管局, 停管办, 区建交局), when no other unit shares it;
* 0.85 the full form of a usual abbreviation (二七区城市管理局, 区人力资源和社会保障局,
  区精细化管理办公室) or the name without 和 (区建设交通局);
* 0.6 a mention ending like a unit (…局, …办, …委, …中心) whose characters
  contain the unit's name in order, first and last character alike.

A street office's bare short name (淮河路) is never matched: it is also a road.
A name after 各/每个/所有 (各物业公司) is a kind of unit, not one unit, and is not matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .registry import Registry, UnitRecord

# Usual abbreviations in unit names → their full forms (government usage, not Erqi's only).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "城管": ("城市管理",),
    "建交": ("建设交通", "建设和交通"),
    "住保": ("住房保障",),
    "文旅": ("文化旅游", "文化广电和旅游", "文化广电旅游"),
    "人社": ("人力资源和社会保障", "人力资源社会保障"),
    "教体": ("教育体育", "教育和体育"),
    "事管": ("机关事务管理",),
    "精细办": ("精细化管理办公室", "精细化办"),
    "文明办": ("文明办公室", "精神文明建设办公室", "文明委办公室"),
    "社治委": ("社会治理委员会", "社会治理工作委员会"),
    "工商质监": ("工商和质量技术监督", "工商质量监督", "工商质量技术监督"),
    "停管办": ("停车管理办公室", "停车管理办"),
    "爱卫办": ("爱国卫生运动委员会办公室", "爱卫会办公室", "爱国卫生办公室"),
    "督查局": ("督查室", "督查办"),
    "卫健委": ("卫生健康委员会", "卫生健康委"),
    "发改委": ("发展和改革委员会", "发展改革委"),
    "市监局": ("市场监督管理局", "市场监管局"),
    "住建局": ("住房和城乡建设局", "住房城乡建设局"),
    "应急局": ("应急管理局",),
    "环卫": ("环境卫生",),
}
_EACH_BEFORE = re.compile(r"(?:各|每个|每一个|所有|各个)$")
_RECIPIENT_BEFORE = re.compile(r"(?:报|报送|上报|报告|提交|交|抄送|抄报|送|向)$")


@dataclass(frozen=True, slots=True)
class UnitMatch:
    """A unit named at ``text[start:end]``; ``recipient`` when the text sends something to it."""

    unit: UnitRecord
    start: int
    end: int
    confidence: float
    recipient: bool = False


class UnitMatcher:
    """Finds registry units in text; build once per registry."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        aliases: dict[str, tuple[float, UnitRecord]] = {}

        def add(alias: str, confidence: float, unit: UnitRecord) -> None:
            if len(alias) < 2:
                return
            known = aliases.get(alias)
            if known is None or known[0] < confidence:
                aliases[alias] = (confidence, unit)

        district = registry.district_name
        short_count: dict[str, int] = {}
        for unit in registry.units:
            if unit.short_name:
                short_count[unit.short_name] = short_count.get(unit.short_name, 0) + 1
        places = {p.id: p for p in registry.places}
        for unit in registry.units:
            forms = {unit.name: 1.0}
            for abbr, fulls in ABBREVIATIONS.items():
                if abbr in unit.name:
                    for full in fulls:
                        forms.setdefault(unit.name.replace(abbr, full), 0.85)
            if "和" in unit.name:
                forms.setdefault(unit.name.replace("和", ""), 0.85)
            for form, confidence in list(forms.items()):
                add(form, confidence, unit)
                if district and form.startswith("区"):
                    add(district + form[1:], confidence, unit)
                    add(district + form, confidence, unit)
            if unit.kind == "street_office":
                region = places.get(unit.region_id)
                if region is not None:
                    add(region.name, 0.95, unit)
                    add(region.name + "办事处", 0.95, unit)
                    add(region.name + "办", 0.95, unit)
                    add(region.name + "党工委", 0.9, unit)
                    add(region.name + "人民政府", 0.95, unit)
            elif (
                unit.short_name
                and short_count.get(unit.short_name) == 1
                and len(unit.short_name) >= 3
            ):
                add(unit.short_name, 0.9, unit)
                if unit.kind == "department" and unit.name.startswith("区"):
                    add("区" + unit.short_name, 0.9, unit)  # 区建交局
                    if district:
                        add(district + unit.short_name, 0.9, unit)
                for abbr, fulls in ABBREVIATIONS.items():
                    if abbr in unit.short_name:
                        for full in fulls:
                            add(unit.short_name.replace(abbr, full), 0.8, unit)
        self.aliases = aliases
        head = re.escape(district[:-1]) if district.endswith("区") else ""
        self._mention = re.compile(
            rf"(?:{head})?区[\u4e00-\u9fff]{{2,12}}?(?:局|办|委|中心)"
            if head
            else r"区[\u4e00-\u9fff]{2,12}?(?:局|办|委|中心)"
        )
        # One alternation, longest first: at each position the longest alias wins.
        by_length = sorted(aliases, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(a) for a in by_length) or r"(?!)")

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[UnitMatch]:
        """Units named in ``text[start:end]``, in order, none overlapping."""
        end = len(text) if end is None else end
        found: list[UnitMatch] = []
        taken: list[tuple[int, int]] = []

        def free(a: int, b: int) -> bool:
            return all(b <= x or a >= y for x, y in taken)

        for m in self._pattern.finditer(text, start, end):
            a, b = m.start(), m.end()
            if _EACH_BEFORE.search(text, max(start, a - 3), a):
                continue  # 各物业公司: a kind of unit to expand, not the unit named 物业公司
            confidence, unit = self.aliases[m.group()]
            taken.append((a, b))
            found.append(self._match(text, start, unit, a, b, confidence))
        for m in self._mention.finditer(text, start, end):
            a, b = m.start(), m.end()
            if not free(a, b):
                continue
            best = self._fuzzy(m.group())
            if best is not None:
                taken.append((a, b))
                found.append(self._match(text, start, best, a, b, 0.6))
        found.sort(key=lambda u: u.start)
        return found

    def _match(
        self, text: str, start: int, unit: UnitRecord, a: int, b: int, confidence: float
    ) -> UnitMatch:
        before = text[max(start, a - 3) : a]
        return UnitMatch(unit, a, b, confidence, bool(_RECIPIENT_BEFORE.search(before)))

    def _fuzzy(self, mention: str) -> UnitRecord | None:
        district = self.registry.district_name
        if district.endswith("区") and mention.startswith(district):
            mention = mention[len(district) - 1 :]  # 二七区城管执法局 → 区城管执法局
        best = None
        best_score = 0.0
        for unit in self.registry.units:
            name = unit.name
            if name[-1] != mention[-1] or name[0] != mention[0]:
                continue
            if _subsequence(name, mention) or _subsequence(mention, name):
                score = min(len(name), len(mention)) / max(len(name), len(mention))
                if score > best_score and score >= 0.4:
                    best, best_score = unit, score
        return best


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)
