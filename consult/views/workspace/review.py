"""Workspace: officials review the AI's themes, sign them off and map answers to them. Placing
answers in themes by hand (one response, the mapping's checks) is in `coding`.

Reading needs VIEW; editing themes EDIT_THEMES; signing off, reopening, mapping and importing a
coding framework SIGN_OFF.
Every change page is a plain form that works without JavaScript; a change someone else made first
is refused (409) and the current themes are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse

from consult.access import (
    get_workspace_consultation,
    get_workspace_question,
    get_workspace_review_theme,
    get_workspace_sub_theme,
    get_workspace_theme_set,
)
from consult.forms.workspace.review import (
    FrameworkForm,
    MergeForm,
    SplitForm,
    ThemeForm,
    VersionForm,
)
from consult.models import AnalysisRun, Permission, Question, ThemeSet
from consult.queries.workspace import review as queries_review
from consult.services import frameworks, review
from consult.views.workspace.base import official_required

STALE_MESSAGE = "Someone else changed these themes since you opened this page: here is the current version."


def theme_set_url(theme_set: ThemeSet) -> str:
    question = theme_set.question
    return reverse("workspace_theme_set", kwargs={"slug": question.consultation.slug, "question_id": question.pk})


def _render_theme_set(
    request: HttpRequest, question: Question, theme_set: ThemeSet | None, *, problems: list[str], status: int = 200
) -> HttpResponse:
    consultation = question.consultation
    page = None
    if theme_set is not None:
        theme_set.question = question
        page = queries_review.theme_set_page(theme_set)
    state, tag_class = queries_review.review_state(theme_set)
    return render(
        request,
        "workspace/review/theme_set.html",
        {
            "consultation": consultation,
            "workspace_section": "review",
            "question": question,
            "theme_set": theme_set,
            "page": page,
            "state": state,
            "tag_class": tag_class,
            "has_run": AnalysisRun.objects.latest_succeeded_for(consultation) is not None,
            "problems": problems,
            "form_has_errors": bool(problems),
        },
        status=status,
    )


def _stale(request: HttpRequest, error: review.StaleVersion) -> HttpResponse:
    """The current themes, with the news that the official's change was not saved."""
    theme_set = ThemeSet.objects.select_related("question__consultation").get(pk=error.theme_set.pk)
    return _render_theme_set(
        request, theme_set.question, theme_set, problems=[STALE_MESSAGE, "Your change was not saved."], status=409
    )


def form_page(
    request: HttpRequest,
    template: str,
    theme_set: ThemeSet,
    form: forms.Form,
    *,
    status: int | None = None,
    **context: object,
) -> HttpResponse:
    question = theme_set.question
    return render(
        request,
        f"workspace/review/{template}",
        {
            "consultation": question.consultation,
            "workspace_section": "review",
            "question": question,
            "theme_set": theme_set,
            "form": form,
            "back_url": theme_set_url(theme_set),
            "form_has_errors": form.is_bound and bool(form.errors),
            **context,
        },
        status=status or (409 if form.is_bound and form.non_field_errors() else 200),
    )


# --- Reading ------------------------------------------------------------------------------------


@official_required
def workspace_review(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    return render(
        request,
        "workspace/review/review.html",
        {
            "consultation": consultation,
            "workspace_section": "review",
            "rows": queries_review.review_overview(consultation),
        },
    )


def _free_text_question(request: HttpRequest, slug: str, question_id: int, permission: Permission) -> Question:
    question = get_workspace_question(request, slug, question_id, permission)
    if not question.is_free_text:
        raise Http404("Only free-text questions have themes.")
    return question


@official_required
def workspace_theme_set(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    question = _free_text_question(request, slug, question_id, Permission.VIEW)
    theme_set = ThemeSet.objects.filter(question=question).first()
    return _render_theme_set(request, question, theme_set, problems=[])


# --- Starting, signing off, reopening, mapping ---------------------------------------------------


@official_required
def workspace_theme_set_start(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    question = _free_text_question(request, slug, question_id, Permission.EDIT_THEMES)
    theme_set = ThemeSet.objects.filter(question=question).first()
    if theme_set is not None:
        theme_set.question = question
    # Starting again (a rebase) replaces the themes, so it must name the version it replaces.
    form = VersionForm(
        request.POST if request.method == "POST" and theme_set else None,
        initial={"version": theme_set.version if theme_set else None},
    )
    problems: list[str] = []
    if request.method == "POST" and (theme_set is None or form.is_valid()):
        try:
            started = review.start_review(
                question, request.user, version=form.cleaned_data["version"] if theme_set else None
            )
        except review.StaleVersion as error:
            return _stale(request, error)
        except review.ReviewError as error:
            problems.append(str(error))
        else:
            messages.success(request, "The AI's candidate themes are ready for review.")
            return redirect(theme_set_url(started))
    if form.is_bound:
        problems.extend(error for errors in form.errors.values() for error in errors)
    return render(
        request,
        "workspace/review/theme_set_start.html",
        {
            "consultation": question.consultation,
            "workspace_section": "review",
            "question": question,
            "theme_set": theme_set,
            "form": form,
            "problems": problems,
            "back_url": reverse("workspace_theme_set", kwargs={"slug": slug, "question_id": question.pk}),
            "form_has_errors": bool(problems),
        },
        status=409 if problems and not (form.is_bound and form.errors) else (400 if problems else 200),
    )


def _act(
    request: HttpRequest,
    theme_set: ThemeSet,
    form: forms.Form,
    template: str,
    action: Callable[[dict[str, Any]], str],
    **context: object,
) -> HttpResponse:
    """The form page of one change to the themes. On a valid POST, `action(cleaned_data)` makes the
    change and returns the message to show; a stale version shows the current themes instead, and
    a refused change shows its reason on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            success = action(form.cleaned_data)
        except review.StaleVersion as error:
            return _stale(request, error)
        except review.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect(theme_set_url(theme_set))
    return form_page(request, template, theme_set, form, **context)


def _confirm(
    request: HttpRequest,
    theme_set: ThemeSet,
    template: str,
    action: Callable[[int], object],
    success: str,
    **context: object,
) -> HttpResponse:
    """A confirmation page whose form carries the version; on POST, do `action(version)`."""
    form = VersionForm(request.POST if request.method == "POST" else None, initial={"version": theme_set.version})

    def act(data: dict[str, Any]) -> str:
        action(data["version"])
        return success

    return _act(request, theme_set, form, template, act, **context)


@official_required
def workspace_theme_set_sign_off(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    theme_set = get_workspace_theme_set(request, slug, question_id, Permission.SIGN_OFF)
    return _confirm(
        request,
        theme_set,
        "theme_set_sign_off.html",
        lambda version: review.sign_off(theme_set, request.user, version=version),
        "Themes signed off. Every response is being mapped to them.",
        themes=list(theme_set.themes.order_by("is_other", "position")),
    )


@official_required
def workspace_theme_set_reopen(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    theme_set = get_workspace_theme_set(request, slug, question_id, Permission.SIGN_OFF)
    return _confirm(
        request,
        theme_set,
        "theme_set_reopen.html",
        lambda version: review.reopen(theme_set, request.user, version=version),
        "Themes reopened for review. Sign them off again to map the responses to them.",
    )


@official_required
def workspace_theme_set_map(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    theme_set = get_workspace_theme_set(request, slug, question_id, Permission.SIGN_OFF)
    problems: list[str] = []
    if request.method == "POST":
        try:
            review.request_mapping(theme_set, request.user)
        except review.ReviewError as error:
            problems.append(str(error))
        else:
            messages.success(request, "The responses are being mapped to the signed-off themes.")
            return redirect(theme_set_url(theme_set))
    return render(
        request,
        "workspace/review/theme_set_map.html",
        {
            "consultation": theme_set.question.consultation,
            "workspace_section": "review",
            "question": theme_set.question,
            "theme_set": theme_set,
            "problems": problems,
            "back_url": theme_set_url(theme_set),
            "form_has_errors": bool(problems),
        },
        status=409 if problems else 200,
    )


# --- Editing themes -----------------------------------------------------------------------------


@official_required
def workspace_theme_create(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    theme_set = get_workspace_theme_set(request, slug, question_id, Permission.EDIT_THEMES)
    form = ThemeForm(request.POST if request.method == "POST" else None, initial={"version": theme_set.version})

    def create(data: dict[str, Any]) -> str:
        theme = review.create_theme(
            theme_set, request.user, version=data["version"], label=data["label"], description=data["description"]
        )
        return f"Theme “{theme.label}” added."

    return _act(request, theme_set, form, "theme_form.html", create, theme=None)


@official_required
def workspace_theme_edit(request: HttpRequest, slug: str, theme_id: int) -> HttpResponse:
    theme = get_workspace_review_theme(request, slug, theme_id, Permission.EDIT_THEMES)
    theme_set = theme.theme_set
    initial = {"version": theme_set.version, "label": theme.label, "description": theme.description}
    form = ThemeForm(request.POST if request.method == "POST" else None, initial=initial)

    def save(data: dict[str, Any]) -> str:
        review.update_theme(
            theme, request.user, version=data["version"], label=data["label"], description=data["description"]
        )
        return f"Theme “{theme.label}” saved."

    return _act(request, theme_set, form, "theme_form.html", save, theme=theme)


@official_required
def workspace_theme_delete(request: HttpRequest, slug: str, theme_id: int) -> HttpResponse:
    theme = get_workspace_review_theme(request, slug, theme_id, Permission.EDIT_THEMES)
    return _confirm(
        request,
        theme.theme_set,
        "theme_delete.html",
        lambda version: review.delete_theme(theme, request.user, version=version),
        f"Theme “{theme.label}” deleted.",
        theme=theme,
    )


@official_required
def workspace_sub_theme_add(request: HttpRequest, slug: str, sub_theme_id: int) -> HttpResponse:
    """Add a sub-theme the analysis found as a theme of its own, once the review has started."""
    sub_theme = get_workspace_sub_theme(request, slug, sub_theme_id, Permission.EDIT_THEMES)
    theme_set = ThemeSet.objects.filter(question=sub_theme.question).first()
    if theme_set is None:
        raise Http404("Start the review of this question's themes first.")
    theme_set.question = sub_theme.question
    return _confirm(
        request,
        theme_set,
        "sub_theme_add.html",
        lambda version: review.add_sub_theme_as_theme(theme_set, sub_theme, request.user, version=version),
        f"Sub-theme “{sub_theme.label}” added as a theme.",
        sub_theme=sub_theme,
    )


@official_required
def workspace_themes_merge(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    theme_set = get_workspace_theme_set(request, slug, question_id, Permission.EDIT_THEMES)
    themes = list(theme_set.themes.order_by("is_other", "position"))
    form = MergeForm(
        request.POST if request.method == "POST" else None,
        initial={"version": theme_set.version, "themes": request.GET.getlist("themes")},
        themes=themes,
    )

    def merge(data: dict[str, Any]) -> str:
        merged = review.merge_themes(
            theme_set,
            request.user,
            version=data["version"],
            theme_ids=data["themes"],
            label=data["label"],
            description=data["description"],
        )
        return f"Themes merged into “{merged.label}”."

    return _act(request, theme_set, form, "themes_merge.html", merge)


@official_required
def workspace_theme_split(request: HttpRequest, slug: str, theme_id: int) -> HttpResponse:
    theme = get_workspace_review_theme(request, slug, theme_id, Permission.EDIT_THEMES)
    theme_set = theme.theme_set
    choices, total = queries_review.split_choices(theme)
    form = SplitForm(
        request.POST if request.method == "POST" else None,
        initial={"version": theme_set.version},
        choices=[(str(quote.answer_id), f"{quote.text} ({quote.reference})") for quote in choices],
    )

    def split(data: dict[str, Any]) -> str:
        new = review.split_theme(
            theme,
            request.user,
            version=data["version"],
            answer_ids=data["answers"],
            label=data["label"],
            description=data["description"],
        )
        return f"{len(data['answers'])} answers moved from “{theme.label}” into “{new.label}”."

    return _act(request, theme_set, form, "theme_split.html", split, theme=theme, shown=len(choices), total=total)


# --- Frameworks officials bring -----------------------------------------------------------------


@official_required
def workspace_theme_framework(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """Upload a coding framework for a question: it replaces the question's themes and is signed
    off as the themes in force."""
    question = _free_text_question(request, slug, question_id, Permission.SIGN_OFF)
    theme_set = ThemeSet.objects.filter(question=question).first()
    form = FrameworkForm(request.POST, request.FILES) if request.method == "POST" else FrameworkForm()
    if form.is_bound and form.is_valid():
        try:
            rows = frameworks.read_framework_csv(form.cleaned_data["framework"])
            imported = frameworks.import_framework(question, rows, request.user)
        except frameworks.FrameworkError as error:
            for problem in error.problems:
                form.add_error("framework", problem)
        else:
            messages.success(
                request,
                f"{len(rows)} themes imported and signed off as the themes in force. Every response is being "
                "mapped to them.",
            )
            return redirect(theme_set_url(imported))
    return render(
        request,
        "workspace/review/theme_framework.html",
        {
            "consultation": question.consultation,
            "workspace_section": "review",
            "question": question,
            "theme_set": theme_set,
            "form": form,
            "back_url": reverse("workspace_theme_set", kwargs={"slug": slug, "question_id": question.pk}),
            "form_has_errors": form.is_bound and bool(form.errors),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


urlpatterns: list[URLPattern] = [
    path("consultations/<slug:slug>/review/", workspace_review, name="workspace_review"),
    path("consultations/<slug:slug>/review/<int:question_id>/", workspace_theme_set, name="workspace_theme_set"),
    path(
        "consultations/<slug:slug>/review/<int:question_id>/start/",
        workspace_theme_set_start,
        name="workspace_theme_set_start",
    ),
    path(
        "consultations/<slug:slug>/review/<int:question_id>/themes/new/",
        workspace_theme_create,
        name="workspace_theme_create",
    ),
    path(
        "consultations/<slug:slug>/review/<int:question_id>/merge/",
        workspace_themes_merge,
        name="workspace_themes_merge",
    ),
    path(
        "consultations/<slug:slug>/review/<int:question_id>/sign-off/",
        workspace_theme_set_sign_off,
        name="workspace_theme_set_sign_off",
    ),
    path(
        "consultations/<slug:slug>/review/<int:question_id>/reopen/",
        workspace_theme_set_reopen,
        name="workspace_theme_set_reopen",
    ),
    path(
        "consultations/<slug:slug>/review/<int:question_id>/map/",
        workspace_theme_set_map,
        name="workspace_theme_set_map",
    ),
    path(
        "consultations/<slug:slug>/review/<int:question_id>/framework/",
        workspace_theme_framework,
        name="workspace_theme_framework",
    ),
    path(
        "consultations/<slug:slug>/review/themes/<int:theme_id>/edit/",
        workspace_theme_edit,
        name="workspace_theme_edit",
    ),
    path(
        "consultations/<slug:slug>/review/themes/<int:theme_id>/delete/",
        workspace_theme_delete,
        name="workspace_theme_delete",
    ),
    path(
        "consultations/<slug:slug>/review/sub-themes/<int:sub_theme_id>/add/",
        workspace_sub_theme_add,
        name="workspace_sub_theme_add",
    ),
    path(
        "consultations/<slug:slug>/review/themes/<int:theme_id>/split/",
        workspace_theme_split,
        name="workspace_theme_split",
    ),
]
