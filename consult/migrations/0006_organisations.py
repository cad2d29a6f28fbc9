from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0005_response_sent_index"),
    ]

    operations = []
