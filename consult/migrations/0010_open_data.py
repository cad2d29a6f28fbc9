from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0009_data_rights"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="is_publication_consented",
            field=models.BooleanField(
                default=False,
                help_text="The respondent agreed that their answers may be published without their name.",
            ),
        ),
    ]
