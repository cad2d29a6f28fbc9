from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0007_following"),
    ]

    operations = []
