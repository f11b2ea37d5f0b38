from django.db import migrations


def seed(apps, schema_editor):
    from civicloop.renovation.menu import seed as seed_menu

    seed_menu(apps.get_model("renovation", "WorkType"))


class Migration(migrations.Migration):
    dependencies = [("renovation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
