"""Workspace: exports of the responses, the printable report, and the outcome (draft, approve,
publish). Exports and the report need VIEW; everything about the outcome needs PUBLISH (leads)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from consult.access import get_workspace_consultation
from consult.forms.workspace.publishing import OutcomeActionForm, OutcomeForm
from consult.models import Consultation, Outcome, Permission, ReviewTheme
from consult.queries import outcome as queries_outcome
from consult.queries.workspace import exports, report, workbook
from consult.services import publishing
from consult.views.workspace.base import official_required

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Exports and the report -------------------------------------------------------------------


@official_required
def workspace_exports(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    questions = list(consultation.questions.order_by("position"))
    return render(
        request,
        "workspace/publishing/exports.html",
        {
            "consultation": consultation,
            "workspace_section": "exports",
            "questions": questions,
            "response_count": exports.exported_responses(consultation).count(),
        },
    )


@official_required
def workspace_export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    table = exports.export_table(consultation)
    publishing.record_export(consultation, request.user, "csv", table.response_count)
    # Streamed a batch at a time: a large consultation never sits whole in memory.
    response = StreamingHttpResponse(exports.csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(consultation, "csv")}"'
    return response


@official_required
def workspace_export_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    table = exports.export_table(consultation)
    written = workbook.write_xlsx(table, report.question_results(consultation, with_sub_themes=True))
    publishing.record_export(consultation, request.user, "xlsx", table.response_count)
    return FileResponse(
        written,
        as_attachment=True,
        filename=exports.export_filename(consultation, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


@official_required
def workspace_report(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    return render(
        request,
        "workspace/publishing/report.html",
        {"consultation": consultation, "workspace_section": "exports", **report.consultation_report(consultation)},
    )


# --- The outcome ------------------------------------------------------------------------------

STALE_MESSAGE = (
    "Another lead changed this outcome after you opened it. Nothing you sent was saved: "
    "check their version below, then make your change again"
)


def _outcome_form(consultation: Consultation, themes: list[ReviewTheme]) -> OutcomeForm:
    """The draft as saved, with the method note (and its Welsh version) drawn from the latest run
    while it is empty."""
    outcome = queries_outcome.outcome_of(consultation)
    initial = {"version": queries_outcome.outcome_version(outcome)}
    if outcome is not None:
        initial.update({name: getattr(outcome, name) for name in publishing.OUTCOME_TEXT})
    if not initial.get("method_note"):
        initial["method_note"] = queries_outcome.default_method_note(consultation)
    if not initial.get("method_note_cy"):
        initial["method_note_cy"] = queries_outcome.default_method_note(consultation, "cy")
    return OutcomeForm(initial=initial, themes=themes)


def _render_outcome(
    request: HttpRequest,
    consultation: Consultation,
    *,
    form: OutcomeForm | None = None,
    action_form: OutcomeActionForm | None = None,
    errors: list[dict[str, str]] | None = None,
    unsaved: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    outcome = queries_outcome.outcome_of(consultation)
    themes = queries_outcome.review_themes(consultation)
    form = form or _outcome_form(consultation, themes)
    preview_outcome = outcome or Outcome(consultation=consultation, version=0)
    return render(
        request,
        "workspace/publishing/outcome.html",
        {
            "consultation": consultation,
            "workspace_section": "outcome",
            "outcome": outcome,
            "version": queries_outcome.outcome_version(outcome),
            "form": form,
            "action_form": action_form or OutcomeActionForm(),
            "errors": errors or [],
            "unsaved": unsaved or [],
            "form_has_errors": bool(errors) or (form.is_bound and bool(form.errors)),
            "problems": queries_outcome.publishing_problems(consultation, outcome),
            "preview": queries_outcome.outcome_page(
                queries_outcome.build_snapshot(consultation, preview_outcome), published_at=preview_outcome.published_at
            ),
            "published": queries_outcome.published_outcome(consultation),
        },
        status=status,
    )


def _unsaved(form: OutcomeForm) -> list[tuple[str, str]]:
    """What a lead typed into a form that was refused as stale, to show back so nothing is lost."""
    return [(field.label, field.value()) for field in form if field.name != "version" and (field.value() or "")]


@official_required
def workspace_outcome(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.PUBLISH)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "GET":
        return _render_outcome(request, consultation)
    form = OutcomeForm(request.POST, themes=queries_outcome.review_themes(consultation))
    if not form.is_valid():
        return _render_outcome(request, consultation, form=form)
    try:
        publishing.save_outcome_draft(
            consultation,
            request.user,
            version=form.cleaned_data["version"],
            summary=form.cleaned_data["summary"],
            decision=form.cleaned_data["decision"],
            method_note=form.cleaned_data["method_note"],
            government_responses=form.government_responses(),
            welsh=form.welsh(),
            theme_welsh=form.theme_welsh(),
        )
    except publishing.StaleOutcome:
        return _render_outcome(
            request, consultation, errors=[{"href": "", "text": STALE_MESSAGE}], unsaved=_unsaved(form), status=409
        )
    messages.success(request, "The outcome draft is saved. A lead must approve it before it is published.")
    return redirect("workspace_outcome", consultation.slug)


def _action_errors(form: OutcomeActionForm) -> list[dict[str, str]]:
    return [
        {"href": f"#{form[name].auto_id}" if name in form.fields and name != "version" else "", "text": error}
        for name, errors in form.errors.items()
        for error in errors
    ]


@official_required
def workspace_outcome_approve(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.PUBLISH)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = OutcomeActionForm(request.POST)
    if not form.is_valid():
        return _render_outcome(request, consultation, errors=_action_errors(form), status=400)
    try:
        publishing.approve_outcome(consultation, request.user, version=form.cleaned_data["version"])
    except publishing.StaleOutcome:
        return _render_outcome(request, consultation, errors=[{"href": "", "text": STALE_MESSAGE}], status=409)
    except publishing.OutcomeNotReady as not_ready:
        errors = [{"href": "", "text": problem} for problem in not_ready.problems]
        return _render_outcome(request, consultation, errors=errors)
    messages.success(request, "You approved the outcome. It can now be published.")
    return redirect("workspace_outcome", consultation.slug)


@official_required
def workspace_outcome_publish(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.PUBLISH)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = OutcomeActionForm(request.POST)
    if not form.is_valid():
        return _render_outcome(request, consultation, action_form=form, errors=_action_errors(form), status=400)
    try:
        outcome = publishing.publish_outcome(
            consultation,
            request.user,
            version=form.cleaned_data["version"],
            update_note=form.cleaned_data["update_note"],
            update_note_cy=form.cleaned_data["update_note_cy"],
        )
    except publishing.StaleOutcome:
        return _render_outcome(request, consultation, errors=[{"href": "", "text": STALE_MESSAGE}], status=409)
    except publishing.OutcomeNotReady as not_ready:
        errors = [
            {"href": "#id_update_note" if problem == publishing.UPDATE_NOTE_MISSING else "", "text": problem}
            for problem in not_ready.problems
        ]
        return _render_outcome(request, consultation, action_form=form, errors=errors)
    if outcome.published_snapshot.get("updates"):
        messages.success(request, "The outcome page is updated, with your note of what changed.")
    else:
        messages.success(request, "The outcome is published. Respondents who gave an email address are being told.")
    return redirect("workspace_outcome", consultation.slug)


urlpatterns = [
    path("consultations/<slug:slug>/exports/", workspace_exports, name="workspace_exports"),
    path("consultations/<slug:slug>/exports/responses.csv", workspace_export_csv, name="workspace_export_csv"),
    path("consultations/<slug:slug>/exports/responses.xlsx", workspace_export_xlsx, name="workspace_export_xlsx"),
    path("consultations/<slug:slug>/report/", workspace_report, name="workspace_report"),
    path("consultations/<slug:slug>/outcome/", workspace_outcome, name="workspace_outcome"),
    path("consultations/<slug:slug>/outcome/approve/", workspace_outcome_approve, name="workspace_outcome_approve"),
    path("consultations/<slug:slug>/outcome/publish/", workspace_outcome_publish, name="workspace_outcome_publish"),
]
