"""Two-factor secrets stored before encryption are encrypted (see consult/two_factor.py)."""

from django.db import migrations


def encrypt_existing(apps, schema_editor):
    from consult.two_factor import reencrypt_all

    Authenticator = apps.get_model("mfa", "Authenticator")
    reencrypt_all(Authenticator.objects.order_by("pk"))


def decrypt_existing(apps, schema_editor):
    from consult.two_factor import SECRET_FIELDS, decrypt

    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.order_by("pk"):
        data = dict(authenticator.data)
        for field in SECRET_FIELDS:
            if isinstance(data.get(field), str):
                data[field] = decrypt(data[field])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [decrypt(code) for code in data["migrated_codes"]]
        authenticator.data = data
        authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0013_run_dropped_figures"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_existing, decrypt_existing)]
