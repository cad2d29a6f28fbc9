"""django-allauth's forms with GOV.UK error messages ("Enter your email address", not "This field
is required."), in the page's language. Named in ACCOUNT_FORMS in the settings."""

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _

_REQUIRED = {
    "login": _("Enter your email address"),
    "email": _("Enter your email address"),
    "password": _("Enter your password"),
    "oldpassword": _("Enter your current password"),
    "password1": _("Enter a password"),
    "password2": _("Enter the password again"),
}
_INVALID_EMAIL = _("Enter an email address in the correct format, like name@example.com")


class GovukMessages:
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in _REQUIRED:
                field.error_messages["required"] = _REQUIRED[name]
            if isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = _INVALID_EMAIL


class LoginForm(GovukMessages, allauth_forms.LoginForm):
    pass


class SignupForm(GovukMessages, allauth_forms.SignupForm):
    pass


class ResetPasswordForm(GovukMessages, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(GovukMessages, allauth_forms.ResetPasswordKeyForm):
    pass


class ChangePasswordForm(GovukMessages, allauth_forms.ChangePasswordForm):
    pass


class SetPasswordForm(GovukMessages, allauth_forms.SetPasswordForm):
    pass


class AddEmailForm(GovukMessages, allauth_forms.AddEmailForm):
    pass


class ReauthenticateForm(GovukMessages, allauth_forms.ReauthenticateForm):
    pass
