"""Places: the region tree, grid cells, patrol areas, roads and compounds.

District (区) → street/town (街道/镇/乡/管委会) → community/village (社区/村) →
unit grid cell (单元网格). Codes follow the national pattern: 6-digit county
code + 3-digit street + 3-digit community + a cell sequence whose length is the
setting ``GEO_CELL_SEQUENCE_DIGITS``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .choices import AreaClass
from .geometry import GeometryModel, metric

CODE_LENGTH = {1: 6, 2: 9, 3: 12}


def cell_code_length() -> int:
    return 12 + settings.GEO_CELL_SEQUENCE_DIGITS


class Region(GeometryModel):
    """A node of the administrative tree above the grid cell."""

    class Level(models.IntegerChoices):
        DISTRICT = 1, _("district")
        STREET = 2, _("street / town")
        COMMUNITY = 3, _("community / village")

    class Kind(models.TextChoices):
        DISTRICT = "district", _("district")
        SUBDISTRICT = "subdistrict", _("subdistrict")
        TOWN = "town", _("town")
        TOWNSHIP = "township", _("township")
        COMMITTEE = "committee", _("management committee")
        COMMUNITY = "community", _("community")
        VILLAGE = "village", _("village")

    LEVEL_KINDS = {
        Level.DISTRICT: {Kind.DISTRICT},
        Level.STREET: {Kind.SUBDISTRICT, Kind.TOWN, Kind.TOWNSHIP, Kind.COMMITTEE},
        Level.COMMUNITY: {Kind.COMMUNITY, Kind.VILLAGE},
    }

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_synthetic = models.BooleanField(
        _("synthetic geometry"),
        default=False,
        help_text=_("The boundary is made up for the demo, not surveyed."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        expected = CODE_LENGTH.get(self.level)
        if expected and (len(self.code or "") != expected or not (self.code or "").isdigit()):
            errors["code"] = _("A code at this level has %(n)d digits.") % {"n": expected}
        if self.kind and self.level and self.kind not in self.LEVEL_KINDS.get(self.level, ()):
            errors["kind"] = _("This kind does not belong to this level.")
        if self.level == self.Level.DISTRICT:
            if self.parent_id:
                errors["parent"] = _("A district has no parent here.")
        elif self.parent is None or self.parent.level != self.level - 1:
            errors["parent"] = _("The parent must be one level above.")
        elif self.code and not self.code.startswith(self.parent.code):
            errors["code"] = _("The code must start with the parent's code.")
        if errors:
            raise ValidationError(errors)


class PatrolArea(models.Model):
    """An inspector's patrol area (责任网格): a set of grid cells."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    street = models.ForeignKey(
        Region,
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patrol_areas",
        limit_choices_to={"level": Region.Level.STREET},
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("patrol area")
        verbose_name_plural = _("patrol areas")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GridCell(GeometryModel):
    """A unit grid cell (单元网格), about 10,000 m², the smallest place."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    community = models.ForeignKey(
        Region,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="cells",
        limit_choices_to={"level": Region.Level.COMMUNITY},
    )
    area_class = models.CharField(
        _("area class"), max_length=1, choices=AreaClass.choices, default=AreaClass.B
    )
    patrol_area = models.ForeignKey(
        PatrolArea,
        verbose_name=_("patrol area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cells",
    )
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, editable=False)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, editable=False)
    area_m2 = models.FloatField(_("area (m²)"), null=True, editable=False)
    is_synthetic = models.BooleanField(_("synthetic geometry"), default=False)

    class Meta:
        verbose_name = _("grid cell")
        verbose_name_plural = _("grid cells")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["min_lon", "min_lat"]),
            models.Index(fields=["area_class"]),
        ]

    def __str__(self) -> str:
        return self.code

    def derive_from_geometry(self, value) -> None:
        centre = value.centroid
        self.centroid_lon, self.centroid_lat = centre.x, centre.y
        self.area_m2 = metric(value).area

    def clean(self) -> None:
        n = cell_code_length()
        if len(self.code or "") != n or not (self.code or "").isdigit():
            raise ValidationError({"code": _("A cell code has %(n)d digits.") % {"n": n}})
        if self.community_id and not self.code.startswith(self.community.code):
            raise ValidationError({"code": _("The code must start with the community's code.")})


class Road(GeometryModel):
    """A named road; its sections carry the road chiefs (路长)."""

    class Grade(models.TextChoices):
        ARTERIAL = "arterial", _("arterial road")
        SECONDARY = "secondary", _("secondary road")
        BRANCH = "branch", _("branch road")
        ALLEY = "alley", _("back alley")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    grade = models.CharField(
        _("grade"), max_length=20, choices=Grade.choices, default=Grade.SECONDARY
    )
    note = models.TextField(_("note"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic geometry"), default=False)

    class Meta:
        verbose_name = _("road")
        verbose_name_plural = _("roads")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RoadSection(GeometryModel):
    """A stretch of a road between two named points."""

    road = models.ForeignKey(
        Road, verbose_name=_("road"), on_delete=models.CASCADE, related_name="sections"
    )
    seq = models.PositiveSmallIntegerField(_("sequence"))
    name = models.CharField(_("name"), max_length=200)
    street = models.ForeignKey(
        Region,
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="road_sections",
        limit_choices_to={"level": Region.Level.STREET},
    )
    length_m = models.FloatField(_("length (m)"), null=True, editable=False)
    is_synthetic = models.BooleanField(_("synthetic geometry"), default=False)

    class Meta:
        verbose_name = _("road section")
        verbose_name_plural = _("road sections")
        ordering = ["road__code", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["road", "seq"], name="geo_roadsection_unique_seq")
        ]

    def __str__(self) -> str:
        return self.name

    def derive_from_geometry(self, value) -> None:
        self.length_m = metric(value).length


class Compound(GeometryModel):
    """A residential compound (小区/楼院): a polygon, or a point when unsurveyed."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    community = models.ForeignKey(
        Region,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="compounds",
        limit_choices_to={"level": Region.Level.COMMUNITY},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    has_property_management = models.BooleanField(
        _("has property management"),
        default=True,
        help_text=_(
            "Unmanaged compounds (无物业小区) are targets of the access-control programme."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic geometry"), default=False)

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GeoDataVersion(models.Model):
    """A single counter bumped whenever place geometry changes.

    Every process keeps its locator index in memory and compares this counter
    now and then (``GEO_INDEX_CHECK_SECONDS``) to know when to rebuild.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.PositiveBigIntegerField(default=0)
    #: The version the gazetteer (``Place``) was last built from.
    places_version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("geometry version")
        verbose_name_plural = _("geometry version")

    def __str__(self) -> str:
        return str(self.version)

    @classmethod
    def current(cls) -> int:
        row = cls.objects.filter(pk=1).values_list("version", flat=True).first()
        return row or 0

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(version=F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 1})


class Place(models.Model):
    """A named place of the gazetteer (地名库), derived from the place tables.

    Rows are rebuilt from regions, compounds, roads, road sections, road
    crossings and grid cells by :func:`civicloop.geo.places.rebuild` whenever
    ``GeoDataVersion`` moved on (see ``GeoDataVersion.places_version``); they
    are never edited by hand. Coordinates are WGS-84: a point on the place
    (inside a polygon, on a line, or the crossing itself).
    """

    class Kind(models.TextChoices):
        STREET = "street", _("street / town")
        COMMUNITY = "community", _("community / village")
        COMPOUND = "compound", _("compound")
        ROAD = "road", _("road")
        SECTION = "section", _("road section")
        CROSSING = "crossing", _("crossing")
        CELL = "cell", _("grid cell")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    #: The name normalised for search (``civicloop.geo.places.normalise``).
    key = models.CharField(_("search key"), max_length=200)
    #: Where the place lies, for a person choosing among equal names.
    context = models.CharField(_("context"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    #: The source row (a region, compound, road, section or cell id; empty for crossings).
    ref_id = models.PositiveIntegerField(_("source id"), null=True, blank=True)
    #: Lower ranks first among equally good matches.
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["rank", "key"]
        # Prefix search on both databases; PostgreSQL also gets a trigram GIN
        # index on ``key`` (migration 0002, PostgreSQL only).
        indexes = [models.Index(fields=["key"], name="geo_place_key")]

    def __str__(self) -> str:
        return self.name
