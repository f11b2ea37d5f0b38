"""What the extractor matches against: units, streets, communities, and scope providers.

A :class:`Registry` is plain data, so the extractor runs without a database
(the benchmark builds one from lists). :meth:`Registry.from_database` reads
``org.Unit`` and ``geo.Region``.

Scopes ("每个街道", "各镇办", "全区各学校") expand to one target per unit or
place. The kinds the registry knows itself are 街道 (every street-level
region: subdistricts, towns, townships, the management committee), 社区 (every
community and village), 村 (villages) and 部门 (departments). Other kinds come
from a provider registered by an upper layer::

    register_scope_provider("学校", lambda registry: ["二七区实验小学", ...],
                            aliases=("中小学", "中小学校"))

A provider returns names or :class:`Target` rows; it is called at extraction
time, so it may read the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """A responsible unit: ``kind`` is an ``org.Unit.Kind`` value; ``region_id`` its territory."""

    id: int
    name: str
    short_name: str = ""
    kind: str = "department"
    region_id: int | None = None


@dataclass(frozen=True, slots=True)
class PlaceRecord:
    """A street-level (level 2) or community-level (level 3) region."""

    id: int
    name: str
    level: int
    kind: str = ""
    parent_id: int | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """One row of an expanded scope: a place or unit name, with its ids where known."""

    name: str
    id: int | None = None
    unit_id: int | None = None


# The word written in the text → the kind of row (``per``).
KIND_WORDS: dict[str, str] = {
    "街道": "街道", "镇办": "街道", "镇街": "街道", "街镇": "街道", "乡镇": "街道",
    "乡镇街道": "街道", "乡镇（街道）": "街道", "镇（街道）": "街道", "镇(街道)": "街道",
    "办事处": "街道", "社区": "社区", "社区（村）": "社区", "村（社区）": "社区", "村": "村",
    "部门": "部门", "区直部门": "部门", "职能部门": "部门", "委局": "部门",
    "学校": "学校", "中小学": "学校", "中小学校": "学校",
}  # fmt: skip
BUILT_IN_KINDS = ("街道", "社区", "村", "部门")

ScopeProvider = Callable[["Registry"], Iterable["Target | str"]]
_PROVIDERS: dict[str, ScopeProvider] = {}


def register_scope_provider(
    kind_word: str, provider: ScopeProvider, aliases: Iterable[str] = ()
) -> None:
    """Let ``kind_word`` (and its ``aliases``) expand to the rows ``provider`` returns.

    Registered by an upper layer in its ``AppConfig.ready`` (e.g. supervision's
    campaign targets for 学校). A provider for a built-in kind replaces it.
    """
    KIND_WORDS[kind_word] = kind_word
    for alias in aliases:
        KIND_WORDS[alias] = kind_word
    _PROVIDERS[kind_word] = provider


def unregister_scope_provider(kind_word: str) -> None:
    """Forget a provider (tests)."""
    _PROVIDERS.pop(kind_word, None)


@dataclass
class Registry:
    """Units and places the extractor knows, by plain records."""

    units: list[UnitRecord] = field(default_factory=list)
    places: list[PlaceRecord] = field(default_factory=list)
    district_name: str = ""

    @classmethod
    def from_database(cls) -> Registry:
        """Active ``org.Unit`` rows and street- and community-level ``geo.Region`` rows."""
        from civicloop.geo.models import Region
        from civicloop.org.models import Unit

        units = [
            UnitRecord(pk, name, short or "", kind, region_id)
            for pk, name, short, kind, region_id in Unit.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("pk", "name", "short_name", "kind", "region_id")
        ]
        places = [
            PlaceRecord(pk, name, level, kind, parent_id)
            for pk, name, level, kind, parent_id in Region.objects.filter(
                level__in=(Region.Level.STREET, Region.Level.COMMUNITY)
            )
            .order_by("code")
            .values_list("pk", "name", "level", "kind", "parent_id")
        ]
        district = (
            Region.objects.filter(level=Region.Level.DISTRICT)
            .order_by("code")
            .values_list("name", flat=True)
            .first()
        )
        return cls(units=units, places=places, district_name=district or "")

    # --- lookups -----------------------------------------------------------

    def streets(self) -> list[PlaceRecord]:
        return [p for p in self.places if p.level == 2]

    def street_office(self, region_id: int) -> UnitRecord | None:
        for unit in self.units:
            if unit.kind == "street_office" and unit.region_id == region_id:
                return unit
        return None

    def targets(self, per: str, within: Iterable[int] = ()) -> list[Target]:
        """The rows a scope of kind ``per`` expands to.

        ``within``: street region ids that restrict 社区/村 to their children
        ("淮河路街道各社区"); empty means the whole district.
        """
        within = set(within)
        provider = _PROVIDERS.get(per)
        if provider is not None:
            return [t if isinstance(t, Target) else Target(str(t)) for t in provider(self)]
        if per == "街道":
            out = []
            for street in self.streets():
                office = self.street_office(street.id)
                out.append(Target(street.name, street.id, office.id if office else None))
            return out
        if per in ("社区", "村"):
            return [
                Target(p.name, p.id)
                for p in self.places
                if p.level == 3
                and (per == "社区" or p.kind == "village")
                and (not within or p.parent_id in within)
            ]
        if per == "部门":
            return [Target(u.name, None, u.id) for u in self.units if u.kind == "department"]
        return []
