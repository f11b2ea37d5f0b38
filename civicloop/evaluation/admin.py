"""Admin for the evaluation settings (weights, bands, grades, list rule)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import EvaluationConfig


@admin.register(EvaluationConfig)
class EvaluationConfigAdmin(admin.ModelAdmin):
    list_display = ["__str__", "list_rule", "list_size", "red_grades", "black_grades"]
    fieldsets = [
        (
            _("Composite scores"),
            {"fields": ["weights", "filed_count_bands", "dispatch_count_bands"]},
        ),
        (
            _("Grades and lists"),
            {"fields": ["grades", "list_rule", "list_size", "red_grades", "black_grades"]},
        ),
    ]

    def has_add_permission(self, request):
        return not EvaluationConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
