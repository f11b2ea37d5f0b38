"""Admin for places: geometry is shown and edited as GeoJSON text."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .geometry import parse_geojson_geometry
from .models import Compound, GridCell, PatrolArea, Region, Road, RoadSection

POLYGONS = ("Polygon", "MultiPolygon")


class GeometryForm(forms.ModelForm):
    """Adds a GeoJSON text field that reads and writes the WKB column."""

    geometry_types: tuple[str, ...] = POLYGONS
    geometry_required = False
    geojson = forms.CharField(
        label=_("geometry (GeoJSON, WGS-84)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "style": "font-family: monospace; width: 90%"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["geojson"].required = self.geometry_required
        if self.instance.pk and self.instance.geom is not None:
            self.initial["geojson"] = json.dumps(self.instance.geojson(), ensure_ascii=False)

    def clean_geojson(self):
        text = self.cleaned_data.get("geojson", "").strip()
        if not text:
            if self.geometry_required:
                raise ValidationError(_("A geometry is required."))
            return None
        return parse_geojson_geometry(text, self.geometry_types)

    def save(self, commit: bool = True):
        self.instance.geometry = self.cleaned_data.get("geojson")
        return super().save(commit)


class CellForm(GeometryForm):
    geometry_required = True


class SectionForm(GeometryForm):
    geometry_types = ("LineString", "MultiLineString")
    geometry_required = True


class CompoundForm(GeometryForm):
    geometry_types = (*POLYGONS, "Point")


class RoadForm(GeometryForm):
    geometry_types = ("LineString", "MultiLineString")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = GeometryForm
    list_display = ("code", "name", "level", "kind", "parent", "is_synthetic")
    list_filter = ("level", "kind", "is_synthetic")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    fields = ("code", "name", "level", "kind", "parent", "is_synthetic", "geojson")


@admin.register(PatrolArea)
class PatrolAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "street")
    list_filter = ("street",)
    search_fields = ("code", "name")
    list_select_related = ("street",)
    autocomplete_fields = ("street",)


@admin.register(GridCell)
class GridCellAdmin(admin.ModelAdmin):
    form = CellForm
    list_display = ("code", "community", "area_class", "patrol_area", "area_m2", "is_synthetic")
    list_filter = ("area_class", "is_synthetic", "community__parent")
    search_fields = ("code", "community__name")
    list_select_related = ("community", "patrol_area")
    autocomplete_fields = ("community", "patrol_area")
    fields = ("code", "community", "area_class", "patrol_area", "is_synthetic", "geojson")
    readonly_fields = ("area_m2",)


class RoadSectionInline(admin.TabularInline):
    """Sections listed on their road; geometry is edited on each section's page."""

    model = RoadSection
    fields = ("seq", "name", "street", "length_m", "is_synthetic")
    readonly_fields = ("length_m",)
    extra = 0
    show_change_link = True
    autocomplete_fields = ("street",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # sections need a geometry: add them on their own page


@admin.register(Road)
class RoadAdmin(admin.ModelAdmin):
    form = RoadForm
    list_display = ("code", "name", "grade", "is_synthetic")
    list_filter = ("grade", "is_synthetic")
    search_fields = ("code", "name")
    inlines = [RoadSectionInline]
    fields = ("code", "name", "grade", "note", "is_synthetic", "geojson")


@admin.register(RoadSection)
class RoadSectionAdmin(admin.ModelAdmin):
    form = SectionForm
    list_display = ("name", "road", "seq", "street", "length_m", "is_synthetic")
    list_filter = ("road__grade", "street", "is_synthetic")
    search_fields = ("name", "road__name", "road__code")
    list_select_related = ("road", "street")
    autocomplete_fields = ("road", "street")
    fields = ("road", "seq", "name", "street", "is_synthetic", "geojson")


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    form = CompoundForm
    list_display = (
        "code",
        "name",
        "community",
        "households",
        "has_property_management",
        "is_synthetic",
    )
    list_filter = ("has_property_management", "is_synthetic", "community__parent")
    search_fields = ("code", "name", "address", "community__name")
    list_select_related = ("community",)
    autocomplete_fields = ("community",)
    fields = (
        "code", "name", "community", "address", "households", "built_year",
        "has_property_management", "note", "is_synthetic", "geojson",
    )  # fmt: skip
