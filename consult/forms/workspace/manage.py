"""Forms officials use to run a consultation: its details and schedule, the AI tool record, its
questions and who it is shared with. Error messages follow the GOV.UK Design System's wording."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from consult.forms.date_time import DateTimePartsField
from consult.forms.respond import TypedTextField
from consult.models import (
    AIToolRecord,
    Consultation,
    ConsultationShare,
    Department,
    DepartmentMembership,
    Question,
    Role,
    User,
)


def _yes_no(label: str, required_message: str, help_text: str = "") -> forms.TypedChoiceField:
    """A yes/no question as GOV.UK radios (a checkbox alone cannot show an error well)."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


def _text(label: str, max_length: int | None, required_message: str, **kwargs: object) -> TypedTextField:
    error_messages = {"required": required_message}
    if max_length:
        noun = label.removesuffix(" (optional)")
        error_messages["max_length"] = f"{noun} must be {max_length:,} characters or fewer"
    return TypedTextField(label=label, max_length=max_length, error_messages=error_messages, **kwargs)


# --- The consultation -------------------------------------------------------------------------

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ConsultationForm(forms.Form):
    """A consultation's details and schedule. Creating one also asks for the department when the
    official leads more than one."""

    department = forms.ModelChoiceField(
        label="Which department is running this consultation?",
        queryset=Department.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the department running this consultation",
            "invalid_choice": "Select one of the departments shown",
        },
    )
    title = _text("Title", 200, "Enter a title")
    slug = TypedTextField(
        label="Web address",
        help_text="The end of the consultation's public address, such as ai-benefit-enquiries. "
        "Use lowercase letters, numbers and hyphens.",
        max_length=100,
        required=False,
        error_messages={"max_length": "Web address must be 100 characters or fewer"},
    )
    summary = _text(
        "Summary",
        None,
        "Enter a summary",
        help_text="A plain-English summary of what is proposed and what you are asking.",
        widget=forms.Textarea,
    )
    contact_name = _text("Contact name (optional)", 200, "", required=False)
    contact_email = forms.EmailField(
        label="Contact email address",
        help_text="Where people can ask about the consultation. It is shown on the public page.",
        max_length=254,
        error_messages={
            "required": "Enter a contact email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
            "max_length": "Contact email address must be 254 characters or fewer",
        },
    )
    allows_anonymous_responses = _yes_no(
        "Can people respond without an account?",
        "Select yes if people can respond without an account",
        help_text="If not, respondents must sign in before they respond.",
    )
    opens_at = DateTimePartsField(noun="opening", label="Opens")
    closes_at = DateTimePartsField(noun="closing", label="Closes")
    # The Welsh version, shown on the Welsh public pages (/cy/); English shows where it is empty.
    title_cy = _text("Title in Welsh (optional)", 200, "", required=False)
    summary_cy = _text("Summary in Welsh (optional)", None, "", required=False, widget=forms.Textarea)

    def __init__(
        self,
        *args: object,
        consultation: Consultation | None = None,
        departments: list[Department] | None = None,
        **kwargs: object,
    ) -> None:
        self.consultation = consultation
        if consultation is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": consultation.title,
                    "slug": consultation.slug,
                    "summary": consultation.summary,
                    "contact_name": consultation.contact_name,
                    "contact_email": consultation.contact_email,
                    "allows_anonymous_responses": "yes" if consultation.allows_anonymous_responses else "no",
                    "opens_at": consultation.opens_at,
                    "closes_at": consultation.closes_at,
                    "title_cy": consultation.title_cy,
                    "summary_cy": consultation.summary_cy,
                },
            )
        else:
            kwargs.setdefault("initial", {"allows_anonymous_responses": "yes"})
        super().__init__(*args, **kwargs)
        if consultation is not None or not departments:
            del self.fields["department"]
        elif len(departments) == 1:
            # Nothing to choose: the page says which department it will be.
            self.only_department = departments[0]
            del self.fields["department"]
        else:
            self.fields["department"].queryset = Department.objects.filter(pk__in=[d.pk for d in departments])
        if consultation is not None:
            self.fields["slug"].required = True
            self.fields["slug"].error_messages["required"] = "Enter a web address"
            if consultation.is_published:
                # People may have links to the public page; its address must not move.
                self.fields["slug"].disabled = True
                self.fields["slug"].help_text = "The address cannot change once the consultation is published."
            if consultation.is_published and consultation.opens_at <= timezone.now():
                # It has opened: responses may exist, and the public has seen the date.
                self.fields["opens_at"].disabled = True
                self.fields["opens_at"].help_text = "The consultation has opened, so its opening time cannot change."
        else:
            self.fields["slug"].help_text += " Leave it empty to make one from the title."

    @property
    def chosen_department(self) -> Department | None:
        return self.cleaned_data.get("department") or getattr(self, "only_department", None)

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug", "")
        if self.fields["slug"].disabled:
            return slug
        if slug and not _SLUG.match(slug):
            raise ValidationError("Web address must only include lowercase letters, numbers and single hyphens")
        if slug and self._slug_taken(slug):
            raise ValidationError("Another consultation already uses this web address: choose a different one")
        return slug

    def _slug_taken(self, slug: str) -> bool:
        others = Consultation.objects.filter(slug=slug)
        if self.consultation is not None:
            others = others.exclude(pk=self.consultation.pk)
        return others.exists()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in ("opens_at", "closes_at"):
            # The form shows times to the minute: a time sent back unchanged keeps its seconds, so
            # that saving other details does not record a change of schedule.
            initial = self.initial.get(name)
            if initial and cleaned.get(name) == initial.replace(second=0, microsecond=0):
                cleaned[name] = initial
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", "The closing date and time must be after the opening date and time")
        if self.consultation is None and not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = self._free_slug_from(str(cleaned["title"]))
        return cleaned

    def _free_slug_from(self, title: str) -> str:
        base = slugify(title)[:90].strip("-") or "consultation"
        slug, n = base, 2
        while self._slug_taken(slug):
            slug, n = f"{base}-{n}", n + 1
        return slug

    def changes(self) -> dict[str, Any]:
        """The cleaned values of the consultation's own fields (the department aside)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "department"}


# --- The AI tool record -----------------------------------------------------------------------

# (field, label, hint, is_long): the ATRS-shaped record, in the order the public page reads it.
_AI_TOOL_FIELDS = [
    ("tool_name", "Name of the tool", "", False),
    ("description", "What the tool does", "Describe it for someone who has never heard of it.", True),
    ("purpose", "Why it is proposed", "The problem it is meant to solve, and for whom.", True),
    (
        "decision_role",
        "How it is used in decisions",
        "Whether it decides, recommends or only informs, and who makes the final decision.",
        True,
    ),
    ("human_oversight", "Human oversight", "Who checks the tool's outputs, how and how often.", True),
    ("how_to_challenge", "How to challenge a decision", "The routes people have to question or appeal.", True),
    ("data_used", "Data the tool uses", "What data goes in, where it comes from, and how long it is kept.", True),
    ("risks", "Risks", "What could go wrong, and for whom.", True),
    ("mitigations", "How the risks are reduced", "", True),
    ("owner", "Who is responsible for the tool", "The team or role accountable for it.", False),
    ("supplier", "Who built the tool (optional)", "The supplier, or the in-house team.", False),
]

# The record's fields that have a Welsh version (`<field>_cy`), all optional.
AI_TOOL_WELSH_FIELDS = [name for name, *_ in _AI_TOOL_FIELDS]

_AI_TOOL_REQUIRED_MESSAGES = {
    "tool_name": "Enter the name of the tool",
    "human_oversight": "Enter how people oversee the tool",
    "data_used": "Enter the data the tool uses",
    "risks": "Enter the risks",
}


class AIToolRecordForm(forms.Form):
    """Every field of the AI tool record, shaped like the Algorithmic Transparency Recording
    Standard."""

    def __init__(self, *args: object, record: AIToolRecord | None = None, **kwargs: object) -> None:
        if record is not None:
            names = [name for name, *_ in _AI_TOOL_FIELDS] + [f"{name}_cy" for name in AI_TOOL_WELSH_FIELDS]
            kwargs.setdefault("initial", {name: getattr(record, name) for name in names})
        super().__init__(*args, **kwargs)
        for name, label, hint, is_long in _AI_TOOL_FIELDS:
            model_field = AIToolRecord._meta.get_field(name)
            required = not model_field.blank
            noun = label.removesuffix(" (optional)")
            self.fields[name] = _text(
                noun if required else label,
                None if is_long else model_field.max_length,
                _AI_TOOL_REQUIRED_MESSAGES.get(name, f"Enter {noun[0].lower() + noun[1:]}"),
                required=required,
                help_text=hint,
                widget=forms.Textarea if is_long else forms.TextInput,
            )
        for name, label, _hint, is_long in _AI_TOOL_FIELDS:
            if name in AI_TOOL_WELSH_FIELDS:
                self.fields[f"{name}_cy"] = _text(
                    f"{label.removesuffix(' (optional)')} in Welsh (optional)",
                    None if is_long else AIToolRecord._meta.get_field(name).max_length,
                    "",
                    required=False,
                    widget=forms.Textarea if is_long else forms.TextInput,
                )

    def english_fields(self) -> list[forms.BoundField]:
        return [field for field in self if not field.name.endswith("_cy")]

    def welsh_fields(self) -> list[forms.BoundField]:
        return [field for field in self if field.name.endswith("_cy")]


# --- Questions --------------------------------------------------------------------------------

_NOT_A_FOLLOW_UP = "none"
MAX_FREE_TEXT_LENGTH = 10000


class QuestionForm(forms.Form):
    """One question. Options are written one per line. `is_locked` is set once people have sent
    responses: the kind, options and pairing can no longer change, only the wording."""

    text = _text("Question", 500, "Enter the question")
    hint = _text(
        "Hint (optional)",
        None,
        "",
        required=False,
        help_text="Extra help shown under the question, such as what to include.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(
        label="Type of answer",
        choices=Question.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the type of answer",
            "invalid_choice": "Select one of the types of answer shown",
        },
    )
    options = TypedTextField(
        label="Options (for single and multiple choice questions)",
        help_text="Write each option on its own line, in the order people will see them. "
        "Give at least two. Leave this empty for other types of answer.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    exclusive_option = TypedTextField(
        label="An option that cannot be chosen with the others (optional, for multiple choice)",
        help_text="Such as “None of these”: write it as it is in the options. People see it last, after "
        "“or”, and cannot tick it with any other option.",
        required=False,
        max_length=200,
        error_messages={"max_length": "The option must be 200 characters or fewer"},
    )
    max_length = forms.IntegerField(
        label="Most characters an answer may have (for free-text questions)",
        min_value=1,
        max_value=MAX_FREE_TEXT_LENGTH,
        initial=2500,
        error_messages={
            "required": "Enter the most characters an answer may have",
            "invalid": "The most characters must be a whole number, like 2500",
            "min_value": "The most characters must be 1 or more",
            "max_value": f"The most characters must be {MAX_FREE_TEXT_LENGTH:,} or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    is_required = _yes_no("Must people answer this question?", "Select yes if people must answer this question")
    # The Welsh version, shown on the Welsh public pages (/cy/); English shows where it is empty.
    text_cy = _text("Question in Welsh (optional)", 500, "", required=False)
    hint_cy = _text("Hint in Welsh (optional)", None, "", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    options_cy = TypedTextField(
        label="Options in Welsh (optional)",
        help_text="One on each line, in the same order as the options in English.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    explains = forms.ChoiceField(
        label="Does this question ask people to explain an earlier answer?",
        help_text="A free-text question can ask “Why?” about an earlier closed question. The analysis then "
        "shows, for each theme, how the people who raised it answered that question.",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: object,
        consultation: Consultation,
        question: Question | None = None,
        is_locked: bool = False,
        **kwargs: object,
    ) -> None:
        self.consultation = consultation
        self.question = question
        self.is_locked = is_locked
        if question is not None:
            kwargs.setdefault(
                "initial",
                {
                    "text": question.text,
                    "hint": question.hint,
                    "kind": question.kind,
                    "options": "\n".join(option.label for option in question.options.all()),
                    "exclusive_option": _exclusive_label(question),
                    "max_length": question.max_length,
                    "is_required": "yes" if question.is_required else "no",
                    "explains": str(question.explains_id) if question.explains_id else _NOT_A_FOLLOW_UP,
                    "text_cy": question.text_cy,
                    "hint_cy": question.hint_cy,
                    "options_cy": "\n".join(option.label_cy for option in question.options.all()).strip("\n"),
                },
            )
        else:
            kwargs.setdefault("initial", {"is_required": "yes", "explains": _NOT_A_FOLLOW_UP, "max_length": 2500})
        super().__init__(*args, **kwargs)
        earlier = consultation.questions.exclude(kind=Question.Kind.FREE_TEXT)
        if question is not None:
            # Questions asked before this one, and the one it already explains wherever it now is.
            earlier = earlier.filter(Q(position__lt=question.position) | Q(pk=question.explains_id))
        self.explainable = {str(q.pk): q for q in earlier}
        self.fields["explains"].choices = [
            (_NOT_A_FOLLOW_UP, "No"),
            *[(pk, f"Yes, it explains: {q.text}") for pk, q in self.explainable.items()],
        ]
        if is_locked:
            for name in ("kind", "options", "exclusive_option", "explains"):
                self.fields[name].disabled = True
            self.fields["kind"].help_text = "People have already answered, so the type of answer cannot change."
            self.fields["options"].help_text = "People have already answered, so the options cannot change."

    def clean_options(self) -> list[str]:
        """The options, one per line: at least two, none empty, no two the same."""
        raw = self.cleaned_data.get("options") or ""
        if isinstance(raw, list):  # a locked form keeps the options it was given
            return raw
        text = raw.strip("\n")
        if not text.strip():
            return []
        labels = [line.strip() for line in text.split("\n")]
        errors = []
        for number, label in enumerate(labels, start=1):
            if not label:
                errors.append(f"Option {number} is empty: remove the empty line or write the option")
            elif len(label) > 200:
                errors.append(f"Option {number} must be 200 characters or fewer")
        seen: set[str] = set()
        for label in labels:
            if label and label.casefold() in seen:
                errors.append(f"“{label}” is given more than once: each option must be different")
            seen.add(label.casefold())
        if errors:
            raise ValidationError(errors)
        return labels

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        options = cleaned.get("options")
        if self.is_locked:
            # Disabled fields keep their initial values; nothing else to check.
            cleaned["options"] = self._initial_options()
        elif kind in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE):
            if options is not None and len(options) < 2:
                self.add_error("options", "Enter at least two options, each on its own line")
        elif kind and options:
            self.add_error("options", "Only single and multiple choice questions have options: remove them")
        cleaned["exclusive_option"] = self._clean_exclusive_option(kind, cleaned.get("options") or [])
        welsh_options = [line.strip() for line in (cleaned.get("options_cy") or "").strip("\n").split("\n")]
        cleaned["options_cy"] = welsh_options if any(welsh_options) else []
        if cleaned["options_cy"] and len(cleaned["options_cy"]) != len(cleaned.get("options") or []):
            self.add_error("options_cy", "Give one Welsh option for each option in English, in the same order")
        elif any(len(label) > 200 for label in cleaned["options_cy"]):
            self.add_error("options_cy", "Each option in Welsh must be 200 characters or fewer")
        explains_key = cleaned.get("explains") or _NOT_A_FOLLOW_UP
        if explains_key != _NOT_A_FOLLOW_UP and explains_key not in self.explainable:
            self.add_error("explains", "Select one of the questions shown")
            explains_key = _NOT_A_FOLLOW_UP
        cleaned["explains"] = self.explainable.get(explains_key)
        if kind and cleaned["explains"] is not None:
            # The model's own rule for pairs, so the form and the admin agree.
            candidate = Question(consultation=self.consultation, kind=kind, explains=cleaned["explains"])
            try:
                candidate.clean()
            except ValidationError as error:
                for message in error.message_dict.get("explains", []):
                    self.add_error("explains", message)
        return cleaned

    def _clean_exclusive_option(self, kind: str | None, options: list[str]) -> str:
        """The exclusive option as written in the options, or ""."""
        written = self.cleaned_data.get("exclusive_option") or ""
        if self.is_locked:
            return _exclusive_label(self.question)
        if not written:
            return ""
        if kind != Question.Kind.MULTIPLE_CHOICE:
            self.add_error(
                "exclusive_option", "Only a multiple choice question can have an option that excludes the others"
            )
            return ""
        match = next((label for label in options if label.casefold() == written.casefold()), None)
        if match is None:
            self.add_error("exclusive_option", "Write the option exactly as it is in the options, or leave this empty")
            return ""
        return match

    def _initial_options(self) -> list[str]:
        return [option.label for option in self.question.options.all()] if self.question else []


def _exclusive_label(question: Question | None) -> str:
    if question is None:
        return ""
    return next((option.label for option in question.options.all() if option.is_exclusive), "")


# --- Sharing ----------------------------------------------------------------------------------


class ShareForm(forms.Form):
    """Share the consultation with an official of another department."""

    email = forms.EmailField(
        label="Email address of the official",
        help_text="They must already have an account as an official of their department.",
        max_length=254,
        error_messages={
            "required": "Enter the email address of the official",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    role = forms.ChoiceField(
        label="What may they do?",
        choices=[
            (Role.ANALYST, "Analyst: read the responses and the analysis, and code answers"),
            (Role.MODERATOR, "Moderator: read, and decide on flagged answers"),
            (Role.LEAD, "Lead: everything, including editing, signing off and publishing"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what they may do", "invalid_choice": "Select one of the roles shown"},
    )

    def __init__(self, *args: object, consultation: Consultation, actor: User, **kwargs: object) -> None:
        self.consultation = consultation
        self.actor = actor
        super().__init__(*args, **kwargs)

    def clean_email(self) -> User:
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email).first()
        if user is None or not DepartmentMembership.objects.filter(user=user).exists():
            raise ValidationError("There is no official with this email address: they must have an official account")
        if user.pk == self.actor.pk:
            raise ValidationError("You cannot share a consultation with yourself")
        if DepartmentMembership.objects.filter(user=user, department_id=self.consultation.department_id).exists():
            raise ValidationError("This official is in the department running the consultation: they already see it")
        if ConsultationShare.objects.filter(user=user, consultation=self.consultation).exists():
            raise ValidationError(
                "The consultation is already shared with this official: remove the share to change it"
            )
        return user
