"""Forms for citizens' data rights. Error messages follow the GOV.UK Design System's wording."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consult.models import User


class DeleteAccountForm(forms.Form):
    """Deleting an account asks for the password again, so that someone at a computer left signed
    in cannot delete another person's account."""

    password = forms.CharField(
        label=_("Enter your password to confirm"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password")},
    )

    def __init__(self, user: User, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct"))
        return password
