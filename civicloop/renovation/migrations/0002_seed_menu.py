from django.db import migrations


def seed(apps, schema_editor):
    from civicloop.renovation.menu import SEED

    WorkType = apps.get_model("renovation", "WorkType")
    for sort, (code, name, group, measure) in enumerate(SEED, start=1):
        WorkType.objects.get_or_create(
            code=code, defaults={"name": name, "group": group, "measure": measure, "sort": sort}
        )


class Migration(migrations.Migration):
    dependencies = [("renovation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
