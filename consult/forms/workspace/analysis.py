"""The drill-down's filters: which responses an official wants to read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.http import QueryDict

from consult.forms.workspace.dates import read_date, start_of
from consult.models import Agreement, Question, Response
from consult.queries.themes import QuestionThemes
from consult.queries.workspace.responses import (
    NO_SUBSTANTIVE_ANSWER,
    PAGE_WINDOW,
    SUBSTANTIVE,
    AnswerFilters,
    PagePosition,
)
from consult.queries.workspace.sub_themes import SubThemeChoice

NO_THEME = "none"
# Where a page of answers starts, rather than which answers: links keep the filters without them.
PAGE_PARAMETERS = ("page", "after", "before", "skip")


class ResponseFilterForm(forms.Form):
    """Filters read from the query string. Every field is optional; the theme filter needs the
    question it belongs to, because each question has its own themes."""

    question = forms.ChoiceField(label="Question", required=False)
    theme = forms.ChoiceField(label="Theme", required=False)
    sub_theme = forms.ChoiceField(label="Sub-theme", required=False)
    substance = forms.ChoiceField(
        label="Substance",
        required=False,
        choices=[("", "Any"), (SUBSTANTIVE, "Substantive answers"), (NO_SUBSTANTIVE_ANSWER, "No substantive answer")],
    )
    respondent_type = forms.ChoiceField(
        label="Respondent type", required=False, choices=[("", "Any"), *Response.RespondentType.choices]
    )
    organisation = forms.CharField(label="Organisation name contains", required=False, max_length=200)
    closed = forms.ChoiceField(label="Answer to a closed question", required=False)
    from_day = forms.CharField(label="Day", required=False, max_length=2)
    from_month = forms.CharField(label="Month", required=False, max_length=2)
    from_year = forms.CharField(label="Year", required=False, max_length=4)
    to_day = forms.CharField(label="Day", required=False, max_length=2)
    to_month = forms.CharField(label="Month", required=False, max_length=2)
    to_year = forms.CharField(label="Year", required=False, max_length=4)
    campaign = forms.ChoiceField(label="Campaign", required=False)
    flagged = forms.BooleanField(label="Only answers waiting for a moderator", required=False)
    unread = forms.BooleanField(label="Only responses I have not read", required=False)
    q = forms.CharField(label="Words in the answer", required=False, max_length=200)

    def __init__(
        self,
        data: object,
        *,
        questions: list[Question],
        in_force: dict[int, QuestionThemes],
        campaigns: list[tuple[int, str]],
        sub_themes: list[SubThemeChoice] | None = None,
    ) -> None:
        super().__init__(data)
        self.in_force = in_force
        free = [q for q in questions if q.is_free_text]
        self.fields["question"].choices = [("", "All free-text questions")] + [
            (str(q.pk), f"Question {q.position}: {q.text}") for q in free
        ]
        chosen = self.data.get("question", "")
        themes = in_force.get(int(chosen)) if chosen.isdigit() else None
        theme_choices = [("", "Any")]
        if themes is not None:
            theme_choices += [(str(t.id), t.label) for t in themes.themes]
            theme_choices.append((NO_THEME, "Fits no theme"))
        self.fields["theme"].choices = theme_choices
        self.sub_theme_labels = {str(choice.id): choice for choice in sub_themes or []}
        self.fields["sub_theme"].choices = _sub_theme_choices(sub_themes or [])
        closed_choices: list[tuple[str, object]] = [("", "Any")]
        for question in questions:
            if question.kind == Question.Kind.AGREEMENT:
                points = [(f"agreement:{question.pk}:{value}", label) for value, label in Agreement.choices]
                closed_choices.append((f"Question {question.position}: {question.text}", points))
            elif question.has_options:
                options = [(f"option:{option.pk}", option.label) for option in question.options.all()]
                closed_choices.append((f"Question {question.position}: {question.text}", options))
        self.fields["closed"].choices = closed_choices
        for name in ("question", "theme", "sub_theme", "substance", "respondent_type", "closed", "campaign"):
            self.fields[name].widget.attrs["class"] = "govuk-select"
            # A stale link (a theme from before the last run, say) deserves plain words.
            self.fields[name].error_messages["invalid_choice"] = (
                f"Choose a {self.fields[name].label.lower()} from the list"
            )
        if not chosen:
            # Each question has its own sub-themes: without one there are none to choose from.
            self.fields["sub_theme"].error_messages["invalid_choice"] = "Choose the question the sub-theme belongs to"
        self.fields["organisation"].widget.attrs["class"] = "govuk-input"
        self.fields["q"].widget.attrs["class"] = "govuk-input"
        self.fields["campaign"].choices = [
            ("", "Any"),
            ("yes", "In any campaign"),
            ("no", "Not in a campaign"),
            *[(str(pk), label) for pk, label in campaigns],
        ]

    def clean_theme(self) -> str:
        theme = self.cleaned_data.get("theme", "")
        if theme and not self.data.get("question"):
            raise forms.ValidationError("Choose the question the theme belongs to")
        return theme

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = read_date(self, "from", "Date from"), read_date(self, "to", "Date to")
        if start and end and end < start:
            self.add_error("to_day", "Date to must be the same as or after date from")
        cleaned["submitted_from"] = start
        cleaned["submitted_to"] = end
        return cleaned

    def filters(self) -> AnswerFilters:
        """The filters to apply; call only once the form is valid."""
        data = self.cleaned_data
        closed = data.get("closed", "")
        option_id = int(closed.split(":")[1]) if closed.startswith("option:") else None
        agreement = None
        if closed.startswith("agreement:"):
            _, question_id, point = closed.split(":")
            agreement = (int(question_id), int(point))
        theme = data.get("theme", "")
        return AnswerFilters(
            question_id=int(data["question"]) if data.get("question") else None,
            theme_id=int(theme) if theme and theme != NO_THEME else None,
            no_theme=theme == NO_THEME,
            sub_theme_id=int(data["sub_theme"]) if data.get("sub_theme") else None,
            substance=data.get("substance", ""),
            respondent_type=data.get("respondent_type", ""),
            organisation=data.get("organisation", "").strip(),
            option_id=option_id,
            agreement=agreement,
            submitted_from=start_of(data.get("submitted_from")),
            submitted_before=start_of(data["submitted_to"] + timedelta(days=1)) if data.get("submitted_to") else None,
            campaign=data.get("campaign", ""),
            is_flagged=bool(data.get("flagged")),
            is_unread=bool(data.get("unread")),
            search=data.get("q", "").strip(),
        )

    @property
    def is_filtered(self) -> bool:
        return any(value for name, value in self.data.items() if name not in PAGE_PARAMETERS)

    @property
    def has_sub_themes(self) -> bool:
        """Whether the chosen question has sub-themes to offer (a large one), or a stale sub-theme
        needs its error shown: otherwise the filter is not drawn."""
        return bool(self.sub_theme_labels) or bool(self.is_bound and self.errors.get("sub_theme"))

    @property
    def chosen_sub_theme(self) -> SubThemeChoice | None:
        """The sub-theme the answers are filtered by, for the words above them; once valid."""
        if not self.is_bound or self.errors:
            return None
        return self.sub_theme_labels.get(self.cleaned_data.get("sub_theme", ""))


def _sub_theme_choices(sub_themes: list[SubThemeChoice]) -> list[tuple[str, object]]:
    """ "Any", then the sub-themes grouped under the theme each is inside, those among the answers
    that fit no theme last (as `queries.workspace.sub_themes.sub_theme_choices` orders them)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for choice in sub_themes:
        group = f"Inside “{choice.parent_label}”" if choice.parent_label else "Among answers that fit no theme"
        groups.setdefault(group, []).append((str(choice.id), choice.label))
    return [("", "Any"), *groups.items()]


def page_position(data: QueryDict) -> PagePosition:
    """The page the query string asks for. Like Django's `Paginator.get_page`, anything that is
    not a usable number falls back to the first page rather than an error: these values come from
    the page's own links, and a mangled one deserves answers, not an error summary."""

    def number(name: str) -> int | None:
        value = data.get(name, "")
        return int(value) if value.isdigit() and 0 < int(value) < 10**12 else None

    after, before = number("after"), number("before")
    skip = min(int(data.get("skip", "0")) if data.get("skip", "").isdigit() else 0, PAGE_WINDOW - 1)
    page = number("page")
    if after is None and before is None:
        return PagePosition(number=page or 1)
    return PagePosition(number=page, after=after, before=None if after is not None else before, skip=skip)


# An official's decision about an answer with nothing to say, and what it sets `non_answer_override` to.
NON_ANSWER_DECISIONS: dict[str, bool | None] = {"non_answer": True, "substantive": False, "rule": None}


class NonAnswerForm(forms.Form):
    """Count an answer as substantive, mark it as having nothing to say, or let the rule decide."""

    decision = forms.ChoiceField(
        choices=[
            ("non_answer", "Mark as no substantive answer"),
            ("substantive", "Count as a substantive answer"),
            ("rule", "Let the rule decide again"),
        ],
        error_messages={
            "required": "This page is out of date. Reload it and try again",
            "invalid_choice": "This page is out of date. Reload it and try again",
        },
    )

    @property
    def is_non_answer(self) -> bool | None:
        """The decision as `non_answer_override`; call only once the form is valid."""
        return NON_ANSWER_DECISIONS[self.cleaned_data["decision"]]
