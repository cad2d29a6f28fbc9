from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0006_organisations"),
    ]

    operations = []
