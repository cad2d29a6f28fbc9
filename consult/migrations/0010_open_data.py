from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0009_data_rights"),
    ]

    operations = []
