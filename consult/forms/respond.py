"""Forms for the respondent's journey. Error messages follow the GOV.UK Design System's wording."""

from __future__ import annotations

import re
from typing import Any, TypedDict

from django import forms
from django.utils.translation import gettext_lazy as _

from consult.models import REFERENCE_ALPHABET, Agreement, EqualityInformation, Option, Question, Response

# A response's reference as `models.responses.new_reference` makes it: R-7KX4-M9PT-2HQD.
REFERENCE = re.compile(rf"^R-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$")


def cleaned_reference(typed: str) -> str:
    """A response's reference as it is stored, however it was typed (spaces, lower case); a
    ValidationError when it cannot be one. Blank stays blank, for the form to require or not."""
    reference = re.sub(r"\s", "", typed).upper()
    if reference and not REFERENCE.match(reference):
        raise forms.ValidationError(_("Enter a reference in the correct format, like R-7KX4-M9PT-2HQD"))
    return reference


# C0 and C1 control characters other than tab and newline, which people do type.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_typed_text(value: str) -> str:
    """Normalise line endings and remove control characters (NUL included) from typed text.

    Browsers send a line break as CRLF; counting it as one character, as the page's character
    count does, keeps the server's limit and the page's count in step.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARACTERS.sub("", value)


class TypedTextField(forms.CharField):
    """A text field that cleans typed text before it checks its length, and never truncates it."""

    def to_python(self, value: object) -> str:
        text = super().to_python(value)
        return clean_typed_text(text).strip() if self.strip else clean_typed_text(text)


def publication_consent_field(*, for_organisation: bool) -> forms.TypedChoiceField:
    """The question "Can we publish your response?", as a person or an organisation reads it.
    What is published is the same for both: the answers, without any name (`open_data`); an
    organisation's are marked as an organisation's. Naming an organisation among the respondents
    is asked apart (`OrganisationConsentForm.may_name_organisation`)."""
    if for_organisation:
        help_text = _(
            "If you say yes, we may publish the organisation's answers with the outcome of the "
            "consultation, so that anyone can check how the responses were read. We publish them as an "
            "organisation's response, without the organisation's name, and we never publish your name "
            "or your email address. We remove personal details from them first."
        )
        yes = _("Yes, publish the organisation's answers without its name")
    else:
        help_text = _(
            "If you say yes, we may publish your answers with the outcome of the consultation, so that "
            "anyone can check how the responses were read. We remove personal details from them first, "
            "and we never publish your name, your email address or your answers to questions about you."
        )
        yes = _("Yes, publish my answers without my name")
    return forms.TypedChoiceField(
        label=_("Can we publish your response?"),
        help_text=help_text,
        choices=[("yes", yes), ("no", _("No, do not publish them"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select whether we can publish your response"),
            "invalid_choice": _("Select whether we can publish your response"),
        },
    )


class AboutYouForm(forms.Form):
    respondent_type = forms.ChoiceField(
        label=_("Are you responding as an individual or on behalf of an organisation?"),
        choices=Response.RespondentType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether you are responding as an individual or for an organisation")},
    )
    organisation_name = TypedTextField(
        label=_("Name of the organisation"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Organisation name must be 200 characters or fewer")},
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        help_text=_(
            "We will send your receipt and a link to change or withdraw your response here. "
            "We will not use it for anything else."
        ),
        required=False,
        max_length=254,
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("Email address must be 254 characters or fewer"),
        },
    )

    is_publication_consented = publication_consent_field(for_organisation=False)

    def __init__(self, *args: object, asks_email: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not asks_email:
            del self.fields["email"]
        # Worded for an organisation once the page knows it is one (a page sent back with an
        # error, or a response already said to be an organisation's).
        respondent_type = self.data.get("respondent_type") if self.is_bound else self.initial.get("respondent_type")
        if respondent_type == Response.RespondentType.ORGANISATION:
            self.fields["is_publication_consented"] = publication_consent_field(for_organisation=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("respondent_type") == Response.RespondentType.ORGANISATION and not cleaned.get(
            "organisation_name"
        ):
            self.add_error("organisation_name", _("Enter the name of the organisation"))
        return cleaned


class ExclusiveMultipleChoiceField(forms.TypedMultipleChoiceField):
    """Checkboxes where some options ("Nothing worries me") exclude every other: the page unticks
    the others in the browser (GOV.UK Frontend's `data-behaviour="exclusive"`), and the server
    refuses the two together, for a browser without JavaScript or a hand-made request."""

    def __init__(self, *, exclusive: dict[int, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The exclusive options' ids, with their labels for the error message.
        self.exclusive = exclusive

    def clean(self, value: object) -> list[int]:
        value = super().clean(value)  # checked against the choices and made ids
        chosen_exclusive = [pk for pk in value if pk in self.exclusive]
        if chosen_exclusive and len(set(value)) > 1:
            raise forms.ValidationError(
                _("Select “%(option)s”, or select the answers that apply"),
                code="exclusive",
                params={"option": self.exclusive[chosen_exclusive[0]]},
            )
        return value


class AnswerKwargs(TypedDict, total=False):
    """An answer as `services.responses.save_answer` takes it: one of the three, by the question's kind."""

    text: str
    agreement: int | None
    options: list[Option]


class AnswerForm(forms.Form):
    """The answer to one question, shaped by the question's kind.

    The field is always called `answer`, so templates and tests need not know the kind.
    """

    def __init__(self, question: Question, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields["answer"] = self._field_for(question)

    def _field_for(self, question: Question) -> forms.Field:
        required = question.is_required
        if question.kind == Question.Kind.FREE_TEXT:
            limit = question.max_length
            return TypedTextField(
                label=question.localised("text"),
                required=required,
                max_length=limit,
                widget=forms.Textarea(attrs={"rows": 8}),
                error_messages={
                    "required": _("Enter your answer"),
                    "max_length": _("Your answer must be %(limit)s characters or fewer") % {"limit": f"{limit:,}"},
                },
            )
        if question.kind == Question.Kind.AGREEMENT:
            return forms.TypedChoiceField(
                label=question.localised("text"),
                required=required,
                choices=Agreement.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Select how much you agree or disagree"),
                    "invalid_choice": _("Select one of the options shown"),
                },
            )
        # The question's options are loaded with it (and kept between requests), so checking a
        # choice against them needs no query. Each is labelled as a model choice field would.
        options = [(option.pk, str(option)) for option in question.options.all()]
        if question.kind == Question.Kind.SINGLE_CHOICE:
            return forms.TypedChoiceField(
                label=question.localised("text"),
                required=required,
                choices=options,
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Select an answer"),
                    "invalid_choice": _("Select one of the options shown"),
                },
            )
        # GOV.UK's exclusive options ("None of these") come last, after the "or" divider.
        exclusive = [option for option in question.options.all() if option.is_exclusive]
        others = [(option.pk, str(option)) for option in question.options.all() if not option.is_exclusive]
        return ExclusiveMultipleChoiceField(
            label=question.localised("text"),
            required=required,
            choices=others + [(option.pk, str(option)) for option in exclusive],
            exclusive={option.pk: str(option) for option in exclusive},
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": _("Select at least one answer"),
                "invalid_choice": _("Select only the options shown"),
            },
        )

    def answer_kwargs(self) -> AnswerKwargs:
        """The cleaned answer as keyword arguments for `services.save_answer`."""
        value = self.cleaned_data.get("answer")
        kind = self.question.kind
        if kind == Question.Kind.FREE_TEXT:
            return {"text": value or ""}
        if kind == Question.Kind.AGREEMENT:
            return {"agreement": value if value not in ("", None) else None}
        chosen = ([value] if value else []) if kind == Question.Kind.SINGLE_CHOICE else list(value or [])
        by_id = {option.pk: option for option in self.question.options.all()}
        return {"options": [by_id[pk] for pk in chosen]}


class ResumeLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )


class NewResponseLinkForm(forms.Form):
    """Asks for a new link to a response: its reference and the address its links were sent to."""

    reference = forms.CharField(
        label=_("Reference number"),
        help_text=_("You can find it in your receipt email. It looks like R-7KX4-M9PT-2HQD."),
        max_length=20,
        error_messages={
            "required": _("Enter the reference number of your response"),
            "max_length": _("Enter a reference in the correct format, like R-7KX4-M9PT-2HQD"),
        },
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The address you gave with your response. We will send the new link there."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter the email address you gave with your response"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("Email address must be 254 characters or fewer"),
        },
    )

    def clean_reference(self) -> str:
        return cleaned_reference(self.cleaned_data["reference"])


class WithdrawForm(forms.Form):
    confirm = forms.TypedChoiceField(
        label=_("Are you sure you want to withdraw your response?"),
        choices=[("yes", _("Yes, withdraw my response")), ("no", _("No, keep my response"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes if you want to withdraw your response")},
    )


def _equality_field(label: object, choices: list[tuple[str, str]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Select one of the options shown, or leave this question")},
    )


class EqualityForm(forms.Form):
    """The GOV.UK equality information pattern: every question optional, each with
    "Prefer not to say"."""

    age_band = _equality_field(_("What is your age?"), EqualityInformation.AgeBand.choices)
    region = _equality_field(_("Where do you live?"), EqualityInformation.Region.choices)
    disability = _equality_field(
        _(
            "Are your day-to-day activities limited because of a health problem or disability "
            "which has lasted, or is expected to last, at least 12 months?"
        ),
        EqualityInformation.Disability.choices,
    )
    ethnicity = _equality_field(_("What is your ethnic group?"), EqualityInformation.Ethnicity.choices)

    def has_answers(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.fields)
