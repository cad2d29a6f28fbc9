"""Workspace: reading the analysis. The dashboard, one question in depth, the drill-down into
responses, one response, the fairness check, and starting a run and following its progress."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse

from consult.access import (
    get_workspace_answer,
    get_workspace_consultation,
    get_workspace_question,
    get_workspace_response,
)
from consult.forms.workspace.analysis import PAGE_PARAMETERS, NonAnswerForm, ResponseFilterForm, page_position
from consult.models import AnalysisRun, Permission, Response
from consult.queries.kept_counts import counted_matches
from consult.queries.themes import answer_themes, answers_not_yet_placed, consultation_themes
from consult.queries.workspace import dashboard as queries_dashboard
from consult.queries.workspace import fairness as queries_fairness
from consult.queries.workspace import responses as queries_responses
from consult.queries.workspace import sub_themes as queries_sub_themes
from consult.queries.workspace import topic_map as queries_topic_map
from consult.services import reads, recounts
from consult.services.non_answers import set_non_answer
from consult.services.runs import AnalysisAlreadyRunning, request_analysis
from consult.views.workspace.base import official_required

RESPONSES_PER_PAGE = 25


@official_required
def workspace_analysis(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    context = queries_dashboard.dashboard(consultation)
    recounts.ask_for(context["recount"])
    return render(
        request,
        "workspace/analysis/workspace_analysis.html",
        {
            "consultation": consultation,
            "workspace_section": "analysis",
            "can_start": Permission.CODE in request.workspace_permissions,
            **context,
        },
    )


@official_required
def workspace_analysis_progress(request: HttpRequest, slug: str) -> JsonResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    return JsonResponse(queries_dashboard.run_progress(queries_dashboard.latest_run(consultation)))


@official_required
def workspace_analysis_start(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.CODE)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        request_analysis(consultation, actor=request.user)
    except AnalysisAlreadyRunning:
        messages.info(request, "The analysis is already running. Its progress is shown below.")
    else:
        messages.success(request, "The analysis will run again. Its progress is shown below.")
    return redirect("workspace_analysis", slug=consultation.slug)


@official_required
def workspace_question_analysis(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    question = get_workspace_question(request, slug, question_id, Permission.VIEW)
    consultation = question.consultation
    if not question.is_free_text:
        return redirect("workspace_analysis", slug=consultation.slug)
    analysis = queries_dashboard.question_analysis(consultation, question)
    recounts.ask_for(analysis["recount"])
    return render(
        request,
        "workspace/analysis/workspace_question_analysis.html",
        {
            "consultation": consultation,
            "workspace_section": "analysis",
            "question": question,
            **analysis,
        },
    )


@official_required
def workspace_responses(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    questions = list(consultation.questions.order_by("position").prefetch_related("options"))
    in_force = consultation_themes(consultation)
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    chosen = request.GET.get("question", "")
    form = ResponseFilterForm(
        request.GET,
        questions=questions,
        in_force=in_force,
        campaigns=queries_responses.campaign_choices(run, request.GET.get("campaign", "")),
        sub_themes=queries_sub_themes.sub_theme_choices(run, int(chosen) if chosen in map(str, in_force) else None),
    )
    query = request.GET.copy()
    for name in PAGE_PARAMETERS:
        query.pop(name, None)
    page, rows = None, []
    if form.is_valid():
        filters = form.filters()
        answers = queries_responses.filtered_answers(consultation, filters, request.user, in_force, run)
        counted = counted_matches(
            answers,
            queries_responses.count_key(consultation, filters, request.user, in_force),
            queries_responses.COUNT_CAP,
        )
        page = queries_responses.answer_page(
            answers, page_position(request.GET), counted, RESPONSES_PER_PAGE, query.urlencode()
        )
        ids = [a.pk for a in page.answers]
        themes_of = answer_themes(consultation, ids)
        not_analysed = answers_not_yet_placed(consultation, [i for i in ids if i not in themes_of], in_force)
        rows = queries_responses.answer_rows(page.answers, themes_of, run, not_analysed)
    return render(
        request,
        "workspace/analysis/workspace_responses.html",
        {
            "consultation": consultation,
            "workspace_section": "responses",
            "form": form,
            "form_has_errors": form.is_bound and bool(form.errors),
            "page": page,
            "rows": rows,
        },
    )


@official_required
def workspace_response(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    response = get_workspace_response(request, slug, reference, Permission.VIEW)
    reads.mark_read(response, request.user)
    return _response_page(request, response)


def _response_page(request: HttpRequest, response: Response, problems: list[str] | None = None) -> HttpResponse:
    consultation = response.consultation
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    ids = list(response.answers.values_list("pk", flat=True))
    themes_of = answer_themes(consultation, ids)
    in_force = consultation_themes(consultation)
    not_analysed = answers_not_yet_placed(consultation, [i for i in ids if i not in themes_of], in_force)
    sub_themes_of = queries_sub_themes.answer_sub_themes(in_force, ids)
    answers = queries_responses.response_answers(response, themes_of, run, not_analysed, sub_themes_of)
    return render(
        request,
        "workspace/analysis/workspace_response.html",
        {
            "consultation": consultation,
            "workspace_section": "responses",
            "response": response,
            "answers": answers,
            "can_code": Permission.CODE in request.workspace_permissions,
            "can_decide_non_answers": Permission.MODERATE in request.workspace_permissions,
            "problems": problems or [],
            "form_has_errors": bool(problems),
        },
        status=400 if problems else 200,
    )


@official_required
def workspace_answer_non_answer(request: HttpRequest, slug: str, answer_id: int) -> HttpResponse:
    """An official's decision that an answer says nothing of substance, or that it does. Those who
    moderate answers (moderators and leads) decide, as they decide what else an answer counts as."""
    answer = get_workspace_answer(request, slug, answer_id, Permission.MODERATE)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    response = answer.response
    form = NonAnswerForm(request.POST)
    if not answer.question.is_free_text or not answer.text:
        return _response_page(request, response, ["Only a written answer can be counted as substantive or not"])
    if not form.is_valid():
        return _response_page(request, response, [e for errors in form.errors.values() for e in errors])
    changed = set_non_answer(answer, request.user, is_non_answer=form.is_non_answer)
    if not changed:
        messages.info(request, "The answer was already counted that way.")
    elif answer.is_non_answer:
        messages.success(
            request,
            "Marked as no substantive answer: counted apart now, out of its themes at the next analysis or mapping.",
        )
    else:
        messages.success(
            request, "Counted as a substantive answer. It joins the themes at the next analysis or mapping."
        )
    url = reverse("workspace_response", args=[response.consultation.slug, response.reference])
    return redirect(f"{url}#answer-{answer.pk}")


@official_required
def workspace_fairness(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    fairness = queries_fairness.fairness_page(consultation)
    recounts.ask_for(fairness["recount"])
    return render(
        request,
        "workspace/analysis/workspace_fairness.html",
        {
            "consultation": consultation,
            "workspace_section": "analysis",
            **fairness,
            "smallest_group": queries_fairness.SMALLEST_GROUP_SHOWN,
        },
    )


@official_required
def workspace_topic_map(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    question = get_workspace_question(request, slug, question_id, Permission.VIEW)
    consultation = question.consultation
    if not question.is_free_text:
        return redirect("workspace_analysis", slug=consultation.slug)
    return render(
        request,
        "workspace/analysis/workspace_topic_map.html",
        {
            "consultation": consultation,
            "workspace_section": "analysis",
            "question": question,
            "most_points": queries_topic_map.MAP_POINTS,
            **queries_topic_map.topic_map(consultation, question),
        },
    )


urlpatterns: list[URLPattern] = [
    path("consultations/<slug:slug>/analysis/", workspace_analysis, name="workspace_analysis"),
    path(
        "consultations/<slug:slug>/analysis/progress/", workspace_analysis_progress, name="workspace_analysis_progress"
    ),
    path("consultations/<slug:slug>/analysis/start/", workspace_analysis_start, name="workspace_analysis_start"),
    path(
        "consultations/<slug:slug>/analysis/questions/<int:question_id>/",
        workspace_question_analysis,
        name="workspace_question_analysis",
    ),
    path(
        "consultations/<slug:slug>/analysis/questions/<int:question_id>/map/",
        workspace_topic_map,
        name="workspace_topic_map",
    ),
    path("consultations/<slug:slug>/analysis/fairness/", workspace_fairness, name="workspace_fairness"),
    path("consultations/<slug:slug>/responses/", workspace_responses, name="workspace_responses"),
    path("consultations/<slug:slug>/responses/<str:reference>/", workspace_response, name="workspace_response"),
    path(
        "consultations/<slug:slug>/answers/<int:answer_id>/substance/",
        workspace_answer_non_answer,
        name="workspace_answer_non_answer",
    ),
]
