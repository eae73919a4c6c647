"""The strategic aims and service types of the seeds' impact report, as data a partnership can
add to (in the admin)."""

from django.db import migrations

AIMS = {
    "stronger-families": "Stronger Families",
    "safer-childhoods": "Safer Childhoods",
    "positive-futures": "Positive Futures",
}
TYPES = [
    ("childrens-centres", "Children's centres", "stronger-families"),
    ("family-support", "Family support", "stronger-families"),
    ("edge-of-care", "Edge of care", "stronger-families"),
    ("mental-health", "Mental health", "stronger-families"),
    ("adoption", "Adoption", "safer-childhoods"),
    ("fostering", "Fostering", "safer-childhoods"),
    ("cse", "Child sexual exploitation", "safer-childhoods"),
    ("missing", "Children who go missing", "safer-childhoods"),
    ("trafficking", "Trafficking", "safer-childhoods"),
    ("hsb", "Harmful sexual behaviour", "safer-childhoods"),
    ("fgm", "Female genital mutilation", "safer-childhoods"),
    ("leaving-care", "Leaving care", "positive-futures"),
    ("housing", "Housing", "positive-futures"),
    ("employment-skills", "Employment and skills", "positive-futures"),
]


def seed(apps, schema_editor):
    Aim = apps.get_model("outcomes", "StrategicAim")
    Type = apps.get_model("outcomes", "ServiceType")
    for code, name in AIMS.items():
        Aim.objects.update_or_create(code=code, defaults={"name": name})
    for code, name, aim in TYPES:
        Type.objects.update_or_create(code=code, defaults={"name": name, "aim_id": aim})


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_services_spells_sdq")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
