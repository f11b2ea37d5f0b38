"""Admin: the work menu and the programme's configuration. Votes and ballots are not shown."""

from django.contrib import admin

from . import models


@admin.register(models.WorkType)
class WorkTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "group", "measure", "sort", "is_active")
    list_editable = ("sort", "is_active")
    list_filter = ("group", "is_active")


class BatchInline(admin.TabularInline):
    model = models.Batch
    extra = 0


@admin.register(models.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_synthetic")
    inlines = [BatchInline]


class FundingInline(admin.TabularInline):
    model = models.Funding
    extra = 0


@admin.register(models.Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("compound", "batch", "project_class", "level", "approach", "bid_section",
                    "state")  # fmt: skip
    list_filter = ("batch", "project_class", "level", "approach", "state")
    search_fields = ("compound__name", "bid_section", "contractor")
    raw_id_fields = ("compound",)
    readonly_fields = ("state", "version")
    inlines = [FundingInline]
