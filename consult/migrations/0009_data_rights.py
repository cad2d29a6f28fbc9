from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0008_welsh"),
    ]

    operations = [
        migrations.AddField(
            model_name="consultation",
            name="personal_data_purged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
