"""Forms for organisations: registration, invitations, the naming consent, reports of falsely
sent responses, and officials' decisions (the workspace's are in English only)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from consult.forms.respond import TypedTextField, cleaned_reference, publication_consent_field
from consult.models import Consultation, OrganisationMember

# Charity Commission (England and Wales), OSCR and CCNI numbers: 6 to 8 digits, and a linked
# charity's number carries a suffix such as 1123456-1.
CHARITY_NUMBER = re.compile(r"^\d{6,8}(-\d{1,3})?$")
# Companies House: 8 characters, all digits (01234567) or a two-character prefix such as SC, NI,
# OC or R0 followed by 6 digits.
COMPANY_NUMBER = re.compile(r"^[A-Z0-9]{2}\d{6}$")

_STATEMENT_LIMIT = 5000


def _statement(label: str, hint: str, required_message: str) -> TypedTextField:
    return TypedTextField(
        label=label,
        help_text=hint,
        max_length=_STATEMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": required_message,
            "max_length": _("This must be 5,000 characters or fewer"),
        },
    )


class OrganisationForm(forms.Form):
    name = TypedTextField(
        label=_("Name of the organisation"),
        max_length=200,
        error_messages={
            "required": _("Enter the name of the organisation"),
            "max_length": _("Name of the organisation must be 200 characters or fewer"),
        },
    )
    website = forms.URLField(
        label=_("Website (optional)"),
        required=False,
        max_length=300,
        assume_scheme="https",
        error_messages={
            "invalid": _("Enter a website address in the correct format, like www.example.org.uk"),
            "max_length": _("Website address must be 300 characters or fewer"),
        },
    )
    charity_number = forms.CharField(
        label=_("Registered charity number (optional)"),
        help_text=_("6 to 8 digits, for example 1123456 or 1123456-1"),
        required=False,
        max_length=20,
        error_messages={"max_length": _("Enter a charity number of 6 to 8 digits, like 1123456")},
    )
    company_number = forms.CharField(
        label=_("Companies House number (optional)"),
        help_text=_("8 characters, for example 01234567 or SC123456"),
        required=False,
        max_length=20,
        error_messages={"max_length": _("Enter a company number of 8 characters, like 01234567 or SC123456")},
    )
    represents = _statement(
        _("Whom does the organisation represent?"),
        _("For example, how many members or supporters it has and who they are."),
        _("Enter whom the organisation represents"),
    )
    how_views_gathered = _statement(
        _("How did you gather your members' views?"),
        _("For example, a survey of members, meetings or a vote of the board."),
        _("Enter how you gathered your members' views"),
    )

    def clean_charity_number(self) -> str:
        number = re.sub(r"\s", "", self.cleaned_data["charity_number"])
        if number and not CHARITY_NUMBER.match(number):
            raise forms.ValidationError(_("Enter a charity number of 6 to 8 digits, like 1123456"))
        return number

    def clean_company_number(self) -> str:
        number = re.sub(r"\s", "", self.cleaned_data["company_number"]).upper()
        if number and not COMPANY_NUMBER.match(number):
            raise forms.ValidationError(_("Enter a company number of 8 characters, like 01234567 or SC123456"))
        return number


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter the email address of the person to invite"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("Email address must be 254 characters or fewer"),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=OrganisationMember.Role.choices,
        widget=forms.RadioSelect,
        initial=OrganisationMember.Role.MEMBER,
        help_text=_("Admins can invite and remove members, and sign off and send responses."),
        error_messages={"required": _("Select a role")},
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=OrganisationMember.Role.choices,
        widget=forms.RadioSelect,
        help_text=_("Admins can invite and remove members, and sign off and send responses."),
        error_messages={"required": _("Select a role")},
    )


class StartOrganisationResponseForm(forms.Form):
    consultation = forms.ModelChoiceField(
        label=_("Consultation"),
        queryset=Consultation.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Select a consultation"),
            "invalid_choice": _("Select one of the consultations shown"),
        },
    )

    def __init__(self, *args: object, consultations: QuerySet[Consultation], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consultation"].queryset = consultations


class OrganisationConsentForm(forms.Form):
    """The organisation's response's own about-you step: whether the outcome may name it, and the
    publication question every respondent answers, worded for an organisation."""

    may_name_organisation = forms.TypedChoiceField(
        label=_("May we name your organisation as a respondent in the published outcome?"),
        help_text=_("Only the organisation's name is published, never the names of its members."),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes if we may name your organisation")},
    )
    is_publication_consented = publication_consent_field(for_organisation=True)


class FalseSubmissionReportForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number (optional)"),
        help_text=_("If you know it, for example R-7KX4-M9PT-2HQD."),
        required=False,
        max_length=20,
        error_messages={"max_length": _("Enter a reference in the correct format, like R-7KX4-M9PT-2HQD")},
    )
    what_happened = TypedTextField(
        label=_("What happened?"),
        help_text=_("Tell us why you think this response was sent in your name, or your organisation's."),
        max_length=_STATEMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Enter what happened"),
            "max_length": _("This must be 5,000 characters or fewer"),
        },
    )
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We will only use it to contact you about this report."),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("Email address must be 254 characters or fewer"),
        },
    )

    def clean_reference(self) -> str:
        return cleaned_reference(self.cleaned_data["reference"])


# --- The workspace (English only) -------------------------------------------------------------


class OrganisationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("verify", "Verify the organisation"), ("reject", "Reject it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to verify or reject the organisation"},
    )
    reason = TypedTextField(
        label="Reason",
        help_text="Required when you reject it: the organisation's admins read it.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Reason must be 2,000 characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason"):
            self.add_error("reason", "Enter why you reject the organisation")
        return cleaned


class ResolveReportForm(forms.Form):
    note = TypedTextField(
        label="What was done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter what was done about the report",
            "max_length": "Note must be 2,000 characters or fewer",
        },
    )
