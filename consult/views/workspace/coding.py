"""Workspace: officials place answers in the signed-off themes by hand: one response's answers
(CODE; reading needs VIEW), and the answers the mapping asked them to check (EDIT_THEMES), from
which the mapping learns. A change someone else made first is refused and the page shown again.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from consult.access import get_workspace_response, get_workspace_theme_set
from consult.forms.workspace.review import AnswerThemeForm, MappingChecksForm
from consult.models import Permission, ReviewTheme, ThemeSet
from consult.queries.workspace import review as queries_review
from consult.services import mapping, review
from consult.views.workspace.base import official_required
from consult.views.workspace.review import form_page, theme_set_url


@official_required
def workspace_mapping_checks(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """ "Check these 20 answers": the answers the mapping asked about, each with the themes as
    checkboxes ticked as it proposed; one form for the whole batch."""
    theme_set = get_workspace_theme_set(request, slug, question_id, Permission.EDIT_THEMES)
    is_mapped = theme_set.is_signed_off and theme_set.mapping_status == ThemeSet.MappingStatus.DONE
    checks = queries_review.open_checks(theme_set) if is_mapped else []
    themes = list(theme_set.themes.filter(is_other=False).order_by("position", "pk"))
    form = MappingChecksForm(
        request.POST if request.method == "POST" and checks else None,
        checks=[item.check for item in checks],
        themes=themes,
    )
    if form.is_bound and form.is_valid():
        try:
            count = mapping.record_checks(theme_set, form.decisions(), request.user)
        except review.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Thank you: {count} answer{'s' if count != 1 else ''} checked. The mapping is learning from them "
                "and will map the responses again.",
            )
            return redirect(theme_set_url(theme_set))
    items = [(item, form[MappingChecksForm.field_name(item.check)]) for item in checks]
    return form_page(
        request,
        "mapping_checks.html",
        theme_set,
        form,
        status=400 if form.is_bound and form.errors and not form.non_field_errors() else None,
        items=items,
        is_mapped=is_mapped,
    )


@official_required
def workspace_response_themes(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    permission = Permission.CODE if request.method == "POST" else Permission.VIEW
    response = get_workspace_response(request, slug, reference, permission)
    form = AnswerThemeForm(request.POST if request.method == "POST" else None)
    problems: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            answer = response.answers.select_related("question").filter(pk=form.cleaned_data["answer"]).first()
            theme = (
                ReviewTheme.objects.select_related("theme_set__question__consultation")
                .filter(pk=form.cleaned_data["theme"], theme_set__question__consultation=response.consultation)
                .first()
            )
            if answer is None or theme is None:
                problems.append("This page is out of date. Reload it and try again")
            else:
                try:
                    if form.cleaned_data["action"] == "add":
                        changed = review.add_answer_theme(answer, theme, request.user)
                        done = f"Answer placed in “{theme.label}”." if changed else "The answer was already there."
                    else:
                        changed = review.remove_answer_theme(answer, theme, request.user)
                        done = f"Answer taken out of “{theme.label}”." if changed else "The answer was not there."
                except review.ReviewError as error:
                    problems.append(str(error))
                else:
                    messages.success(request, done)
                    return redirect(request.path)
        else:
            problems.extend(error for errors in form.errors.values() for error in errors)
    return render(
        request,
        "workspace/review/response_themes.html",
        {
            "consultation": response.consultation,
            "workspace_section": "review",
            "response": response,
            "items": queries_review.response_themes(response),
            "can_code": Permission.CODE in getattr(request, "workspace_permissions", frozenset()),
            "problems": problems,
            "form_has_errors": bool(problems),
        },
        status=409 if problems and form.is_valid() else (400 if problems else 200),
    )


urlpatterns: list[URLPattern] = [
    path(
        "consultations/<slug:slug>/review/<int:question_id>/checks/",
        workspace_mapping_checks,
        name="workspace_mapping_checks",
    ),
    path(
        "consultations/<slug:slug>/responses/<str:reference>/themes/",
        workspace_response_themes,
        name="workspace_response_themes",
    ),
]
