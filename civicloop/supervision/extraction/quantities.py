"""Target quantities with their measure word, counted noun and "at least".

Read: ``2个以上的示范小区`` (2, 个, 示范小区, at least), ``120处背街小巷``,
``公共停车泊位不少于500个`` (the noun before), ``覆盖率达到95%以上``,
``两个村`` (Chinese numerals through cn2an), and ``全覆盖`` as 100 %.
Not read: ordinals (第一批), numbers inside a deadline (9月15日), durations
(3个月以上), house numbers (3号院) and vague amounts (一批, 一次性).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import NUMBER, to_number

# Longer words first, so that 万平方米 wins over 平方米 and 人次 over 人.
MEASURE_WORDS = (
    "个百分点", "万平方米", "平方公里", "平方米", "公里", "千米", "人次", "%", "米", "亩", "吨",
    "个", "处", "条", "套", "名", "人", "场", "次", "家", "所", "座", "户", "台", "辆", "块", "件",
    "项", "栋", "幢", "盏", "棵", "株", "张", "份", "支", "间", "段", "期", "起", "宗", "批", "类",
    "种", "轮", "组", "支", "根", "面", "口",
)  # fmt: skip
PHYSICAL = {"万平方米", "平方公里", "平方米", "公里", "千米", "米", "亩", "吨"}
VAGUE_ONE = {"批", "种", "类", "些", "次", "轮", "期"}
AT_LEAST_BEFORE = ("不少于", "不低于", "至少", "不下于", "超过", "多于", "大于")
AT_LEAST_AFTER = ("及以上", "或以上", "以上")

_MW = "|".join(re.escape(w) for w in MEASURE_WORDS)
_QUANTITY = re.compile(
    r"(?P<least>不少于|不低于|至少|不下于|超过|多于|大于)?(?P<reach>达到|达)?"
    r"(?P<n>" + NUMBER + r")(?P<approx>余|多)?(?P<mw>" + _MW + r")"
    r"(?P<more>及以上|或以上|以上)?(?P<de>的)?"
)
_LEAST_NEAR = re.compile(r"(?:不少于|不低于|至少)[\u4e00-\u9fff]{0,3}$")
_FULL_COVER = re.compile(r"(?:全覆盖|全面覆盖|全部覆盖|100%覆盖)")
_NOUN_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z“”\"]")
# Where a counted noun stops (besides punctuation and a deadline).
_NOUN_STOP = re.compile(
    r"(?:的|和|及|与|并|等|进行|开展|完成|实现|通过|年内|年底|以上|不少于|全部|全面|集中|统一|"
    r"要|须|将|在|于|到|前|内|达到|覆盖|建成)"
)
VERBS_BEFORE_NOUN = (
    "新增", "加装", "安装", "打造", "建成", "建设", "完成", "配备", "招聘", "开展", "举办", "组织",
    "设置", "施划", "培育", "创建", "改造", "整治", "拆除", "更换", "种植", "铺设", "建立", "实现",
    "培训", "增设", "配建", "新建", "提供", "发放", "招募", "引进",
)  # fmt: skip
GENERIC_NOUNS = ("数量", "总数", "总量", "规模", "面积", "长度", "人数")


@dataclass(frozen=True, slots=True)
class QuantityMatch:
    """A quantity at ``text[start:end]``: value, measure word, counted noun, at least."""

    start: int
    end: int
    value: int | float
    measure: str
    noun: str
    at_least: bool

    @property
    def unit(self) -> str:
        """What the officer reads after the number: %, 公里道路, 示范小区 or the measure word."""
        if self.measure in ("%", "个百分点"):
            return "%"
        if self.measure in PHYSICAL:
            return self.measure + self.noun
        return self.noun or self.measure


def _noun_after(text: str, pos: int, end: int, blocked: list[tuple[int, int]]) -> str:
    out = []
    i = pos
    while i < end and len(out) < 12:
        if any(a <= i < b for a, b in blocked):
            break
        if out and _NOUN_STOP.match(text, i, end):
            break
        if not _NOUN_CHAR.match(text, i):
            break
        out.append(text[i])
        i += 1
    return "".join(out).strip('“”"')


def _noun_before(text: str, start: int, pos: int) -> str:
    """The object between the nearest verb and the quantity ("新增公共停车泊位不少于500个")."""
    piece = text[start:pos]
    for k in range(len(piece) - 1, -1, -1):
        for verb in VERBS_BEFORE_NOUN:
            if piece.startswith(verb, k):
                noun = piece[k + len(verb) :].strip('“”"')
                if len(noun) < 2:
                    continue  # 招聘会: the verb is part of the noun
                if all(_NOUN_CHAR.match(c) for c in noun) and noun not in GENERIC_NOUNS:
                    return noun[-12:]
                return ""
    return ""


def find_quantities(
    text: str, start: int, end: int, blocked: list[tuple[int, int]] = ()
) -> list[QuantityMatch]:
    """Quantities in ``text[start:end]``, in order; ``blocked`` spans (deadlines) are skipped."""
    blocked = list(blocked)
    found: list[QuantityMatch] = []
    for m in _QUANTITY.finditer(text, start, end):
        a, b = m.start("n"), m.end("mw")
        if any(x < b and a < y for x, y in blocked):
            continue
        if a > start and text[a - 1] in "第每":
            continue
        if b < end and text[b] in "性号级":
            continue
        if m.group("n") == "一" and text[b : b + 1] == "一":
            continue  # 一户一档, 一点一策: a method, not a target
        raw = m.group("n")
        value = to_number(raw)
        if value is None:
            continue
        mw = m.group("mw")
        at_least = bool(m.group("least")) or bool(m.group("more"))
        if not at_least:
            # 至少打造1条, 不少于要…: the bound may stand a verb away from the number.
            at_least = bool(_LEAST_NEAR.search(text, max(start, a - 5), a))
        if raw in ("一", "两") and mw in VAGUE_ONE and not at_least:
            continue  # 一批, 一次 (but 至少一次 is a quantity)
        if mw == "个" and text[b : b + 2] in ("月内", "月以", "工作", "小时", "季度"):
            continue  # a duration, not a quantity
        noun = ""
        if mw not in ("%", "个百分点"):
            noun = _noun_after(text, m.end(), end, blocked)
            if not noun and mw not in PHYSICAL:
                noun = _noun_before(text, start, m.start())
        found.append(QuantityMatch(m.start(), m.end(), value, mw, noun, at_least))
    for m in _FULL_COVER.finditer(text, start, end):
        if any(q.start <= m.start() < q.end for q in found):
            continue
        found.append(QuantityMatch(m.start(), m.end(), 100, "%", "", False))
    found.sort(key=lambda q: q.start)
    return found
