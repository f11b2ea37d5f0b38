"""Choices shared by the place models and the apps that read them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaClass(models.TextChoices):
    """Area class of a grid cell (区域类别); it selects the time limit column."""

    A = "A", _("A (core area)")
    B = "B", _("B (general area)")
    C = "C", _("C (outer area)")


class CoordSystem(models.TextChoices):
    """Coordinate systems a point may arrive in. Storage is always WGS-84."""

    WGS84 = "wgs84", _("WGS-84 (GPS, CGCS2000)")
    GCJ02 = "gcj02", _("GCJ-02 (AMap, Tencent)")
    BD09 = "bd09", _("BD-09 (Baidu)")
