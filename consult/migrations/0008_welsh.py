"""Welsh versions of a consultation's own text, and the language of responses and answers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0007_following"),
    ]

    operations = [
        migrations.AddField(
            model_name="aitoolrecord",
            name="data_used_cy",
            field=models.TextField(blank=True, verbose_name="data the tool uses, in Welsh"),
        ),
        migrations.AddField(
            model_name="aitoolrecord",
            name="decision_role_cy",
            field=models.TextField(blank=True, verbose_name="how it is used in decisions, in Welsh"),
        ),
        migrations.AddField(
            model_name="aitoolrecord",
            name="description_cy",
            field=models.TextField(blank=True, verbose_name="what the tool does, in Welsh"),
        ),
        migrations.AddField(
            model_name="aitoolrecord",
            name="how_to_challenge_cy",
            field=models.TextField(blank=True, verbose_name="how to challenge a decision, in Welsh"),
        ),
        migrations.AddField(
            model_name="aitoolrecord",
            name="human_oversight_cy",
            field=models.TextField(blank=True, verbose_name="human oversight, in Welsh"),
        ),
        migrations.AddField(
            model_name="aitoolrecord",
            name="mitigations_cy",
            field=models.TextField(blank=True, verbose_name="how the risks are reduced, in Welsh"),
        ),
        migrations.AddField(
            model_name="aitoolrecord",
            name="owner_cy",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="who is responsible for the tool, in Welsh"
            ),
        ),
        migrations.AddField(
            model_name="aitoolrecord",
            name="purpose_cy",
            field=models.TextField(blank=True, verbose_name="why it is proposed, in Welsh"),
        ),
        migrations.AddField(
            model_name="aitoolrecord",
            name="risks_cy",
            field=models.TextField(blank=True, verbose_name="risks, in Welsh"),
        ),
        migrations.AddField(
            model_name="aitoolrecord",
            name="tool_name_cy",
            field=models.CharField(blank=True, max_length=200, verbose_name="name of the tool in Welsh"),
        ),
        migrations.AddField(
            model_name="aitoolrecord",
            name="supplier_cy",
            field=models.CharField(blank=True, max_length=200, verbose_name="who built the tool, in Welsh"),
        ),
        migrations.AddField(
            model_name="answer",
            name="language",
            field=models.CharField(
                blank=True, choices=[("en", "English"), ("cy", "Welsh"), ("", "Not known")], default="", max_length=2
            ),
        ),
        migrations.AddField(
            model_name="department",
            name="name_cy",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in Welsh"),
        ),
        migrations.AddField(
            model_name="consultation",
            name="summary_cy",
            field=models.TextField(blank=True, verbose_name="summary in Welsh"),
        ),
        migrations.AddField(
            model_name="consultation",
            name="title_cy",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in Welsh"),
        ),
        migrations.AddField(
            model_name="option",
            name="label_cy",
            field=models.CharField(blank=True, max_length=200, verbose_name="label in Welsh"),
        ),
        migrations.AddField(
            model_name="question",
            name="hint_cy",
            field=models.TextField(blank=True, verbose_name="hint in Welsh"),
        ),
        migrations.AddField(
            model_name="question",
            name="text_cy",
            field=models.CharField(blank=True, max_length=500, verbose_name="question in Welsh"),
        ),
        migrations.AddField(
            model_name="response",
            name="language",
            field=models.CharField(default="en-gb", max_length=10),
        ),
    ]
