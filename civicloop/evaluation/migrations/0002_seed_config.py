"""Seed the evaluation settings with the defaults of DESIGN.md §6."""

from django.db import migrations


def seed(apps, schema_editor):
    from civicloop.evaluation.models import EvaluationConfig as Current

    Config = apps.get_model("evaluation", "EvaluationConfig")
    if not Config.objects.filter(pk=1).exists():
        Config.objects.create(pk=1, **Current.default_values())


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_config")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
