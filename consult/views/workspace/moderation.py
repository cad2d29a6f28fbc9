"""Workspace: moderation. The queue of flagged answers (with one decision for the answers ticked in
it), one answer's flags with the moderator's decision (approve, redact, starting from the suggested
redaction, or hide), one decision for a whole campaign, and reporting an answer to the moderators."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse

from consult.access import (
    get_workspace_answer,
    get_workspace_campaign,
    get_workspace_consultation,
    get_workspace_flag,
)
from consult.forms.workspace.moderation import (
    REASON_MAX_LENGTH,
    ApproveForm,
    BulkDecisionForm,
    CampaignDecisionForm,
    HideForm,
    RedactForm,
    ReportForm,
)
from consult.models import Answer, Flag, Permission
from consult.queries.workspace import moderation as queries_moderation
from consult.services import moderation
from consult.views.workspace.base import official_required

ANSWERS_PER_PAGE = 25


@official_required
def workspace_moderation(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.MODERATE)
    reason = request.GET.get("reason", "")
    if reason not in Flag.Reason.values:
        reason = ""
    query_string = urlencode({"reason": reason}) if reason else ""
    flags = queries_moderation.consultation_flags(consultation)
    form = BulkDecisionForm(request.POST if request.method == "POST" else None, flags=flags)
    status = 200
    meanwhile_ids: set[str] = set()
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                closed = moderation.decide_flags(
                    consultation, [flag.pk for flag in data["flags"]], request.user, data["decision"], data["reason"]
                )
            except moderation.DecidedMeanwhile as meanwhile:
                form.add_error("flags", _decided_meanwhile(meanwhile.flags))
                meanwhile_ids = {str(flag.pk) for flag in meanwhile.flags}
                status = 409
            else:
                messages.success(request, _bulk_done(data["decision"], len({flag.answer_id for flag in closed})))
                address = reverse("workspace_moderation", args=[consultation.slug])
                return redirect(f"{address}?{query_string}" if query_string else address)
    page = Paginator(queries_moderation.moderation_queue(consultation, reason), ANSWERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    open_flags = queries_moderation.open_flags_of(page.object_list)
    # Ticked boxes stay ticked after an error, except those of flags decided meanwhile.
    ticked = {str(value) for value in form["flags"].value() or []} - meanwhile_ids if form.is_bound else set()
    rows = []
    for answer in page.object_list:
        answer_flags = open_flags.get(answer.pk, [])
        # Open the flag the official filtered for, else the oldest: the page shows them all.
        first = next((flag for flag in answer_flags if flag.reason == reason), None) if reason else None
        flag = first or (answer_flags[0] if answer_flags else None)
        rows.append(
            {
                "answer": answer,
                "flags": answer_flags,
                "flag": flag,
                "is_ticked": flag is not None and str(flag.pk) in ticked,
            }
        )
    counts = queries_moderation.open_flag_counts(consultation)
    return render(
        request,
        "workspace/moderation/workspace_moderation.html",
        {
            "consultation": consultation,
            "workspace_section": "moderation",
            "page": page,
            "rows": rows,
            "counts": counts,
            "reason": reason,
            "reason_label": Flag.Reason(reason).label if reason else "",
            "query_string": query_string,
            "form": form,
            "campaigns": queries_moderation.waiting_campaigns(consultation) if reason in ("", "campaign") else [],
        },
        status=status,
    )


def _decided_meanwhile(flags: list[Flag]) -> str:
    """The error when some selected answers were decided since the queue was shown."""
    references = sorted({flag.answer.response.reference for flag in flags})
    if len(references) == 1:
        which = f"The answer in response {references[0]} was"
    else:
        which = f"The answers in responses {', '.join(references[:-1])} and {references[-1]} were"
    return (
        f"{which} decided by another moderator after you selected {'it' if len(references) == 1 else 'them'}, "
        "so nothing was changed. Check the answers still selected and apply your decision again"
    )


def _bulk_done(decision: str, count: int) -> str:
    if count == 0:
        return "You had already decided these answers. Nothing changed."
    answers = "1 answer" if count == 1 else f"{count} answers"
    if decision == "approve":
        return f"{answers} approved. Approved answers stay as they are."
    return f"{answers} hidden. Hidden answers leave the analysis at its next run."


@official_required
def workspace_campaign(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    campaign = get_workspace_campaign(request, slug, campaign_id, Permission.MODERATE)
    consultation = campaign.question.consultation
    form = CampaignDecisionForm(request.POST) if request.method == "POST" else CampaignDecisionForm()
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        decided = moderation.decide_campaign(campaign, request.user, decision, form.cleaned_data["reason"])
        done = "approved" if decision == "approve" else "hidden"
        if decided:
            messages.success(request, f"{decided} {'copy' if decided == 1 else 'copies'} of the campaign {done}.")
        else:  # sent twice, or another moderator decided the copies first
            messages.info(request, "No copy of the campaign was waiting for a decision. Nothing changed.")
        return redirect("workspace_moderation", slug=consultation.slug)
    alone, others = queries_moderation.campaign_copies_waiting(campaign)
    return render(
        request,
        "workspace/moderation/workspace_campaign.html",
        {
            "consultation": consultation,
            "workspace_section": "moderation",
            "campaign": campaign,
            "waiting": len(alone),
            # Each copy with another open flag, and the oldest of its flags to decide it on.
            "others": [
                (answers[0].answer, answers[0])
                for answers in queries_moderation.open_flags_of(
                    Answer.objects.filter(pk__in=others).select_related("response")
                ).values()
            ],
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


# The decisions a moderator can take, each with its form and its service.
DECISIONS = ("approve", "redact", "hide")


def _decision_forms(
    answer: Answer,
    suggestion: queries_moderation.SuggestedRedaction | None,
    data: QueryDict | None = None,
    decision: str = "",
) -> dict[str, forms.Form]:
    """The three decision forms, the one named by `decision` bound to `data`. The redaction form
    opens with the suggested redaction, when there is one."""

    def bound(name: str) -> QueryDict | None:
        return data if name == decision else None

    return {
        "approve": ApproveForm(bound("approve"), prefix="approve"),
        "redact": RedactForm(
            bound("redact"),
            prefix="redact",
            current_text=answer.text,
            suggested_text=suggestion.text if suggestion else "",
        ),
        "hide": HideForm(bound("hide"), prefix="hide"),
    }


@official_required
def workspace_flag(request: HttpRequest, slug: str, flag_id: int) -> HttpResponse:
    flag = get_workspace_flag(request, slug, flag_id, Permission.MODERATE)
    answer = flag.answer
    consultation = answer.response.consultation
    decision = ""
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision not in DECISIONS:
            return HttpResponseBadRequest("Choose to approve, redact or hide the answer.")
    suggestion = queries_moderation.suggested_redaction(answer)
    decision_forms = _decision_forms(answer, suggestion, request.POST if decision else None, decision)
    if decision and decision_forms[decision].is_valid():
        data = decision_forms[decision].cleaned_data
        try:
            if decision == "approve":
                moderation.approve_answer(answer, request.user, data["reason"])
                messages.success(request, "Answer approved. It stays as it is.")
            elif decision == "redact":
                moderation.redact_answer(answer, request.user, data["text"], data["reason"])
                messages.success(request, "Answer redacted. The original is kept for moderators only.")
            else:
                moderation.hide_answer(answer, request.user, data["reason"])
                messages.success(request, "Answer hidden. It leaves the analysis at the next run.")
        except moderation.AlreadyDecided:
            messages.info(request, "Another moderator decided on this answer first. Their decision is shown below.")
            return redirect("workspace_flag", slug=consultation.slug, flag_id=flag.pk)
        return redirect("workspace_moderation", slug=consultation.slug)
    flags = queries_moderation.answer_flags(answer)
    original = queries_moderation.redacted_original(answer)
    may_see_original = Permission.SEE_ORIGINAL in request.workspace_permissions
    return render(
        request,
        "workspace/moderation/workspace_flag.html",
        {
            "consultation": consultation,
            "workspace_section": "moderation",
            "flag": flag,
            "answer": answer,
            "flags": flags,
            "is_open": any(f.status == Flag.Status.OPEN for f in flags),
            "forms": decision_forms,
            "suggestion": suggestion,
            "decision": decision,
            "reason_max_length": REASON_MAX_LENGTH,
            # The original's text reaches the template only for those allowed to read it.
            "original": original,
            "original_text": original.original_text if original and may_see_original else "",
            "may_see_original": may_see_original,
            "response_url": _response_url(answer),
        },
        status=400 if decision else 200,
    )


@official_required
def workspace_answer_report(request: HttpRequest, slug: str, answer_id: int) -> HttpResponse:
    answer = get_workspace_answer(request, slug, answer_id, Permission.VIEW)
    consultation = answer.response.consultation
    form = ReportForm(request.POST) if request.method == "POST" else ReportForm()
    if request.method == "POST" and form.is_valid():
        moderation.report_answer(answer, request.user, form.cleaned_data["reason"])
        messages.success(request, "Answer reported. A moderator will look at it.")
        return redirect(_response_url(answer) or reverse("workspace_consultation", args=[consultation.slug]))
    return render(
        request,
        "workspace/moderation/workspace_answer_report.html",
        {
            "consultation": consultation,
            "workspace_section": "responses",
            "answer": answer,
            "form": form,
            "response_url": _response_url(answer),
        },
        status=400 if form.is_bound else 200,
    )


def _response_url(answer: Answer) -> str:
    """The workspace page of the answer's response, where the analysis part provides one."""
    try:
        return reverse("workspace_response", args=[answer.response.consultation.slug, answer.response.reference])
    except NoReverseMatch:
        return ""


urlpatterns: list[URLPattern] = [
    path("consultations/<slug:slug>/moderation/", workspace_moderation, name="workspace_moderation"),
    path("consultations/<slug:slug>/moderation/<int:flag_id>/", workspace_flag, name="workspace_flag"),
    path(
        "consultations/<slug:slug>/moderation/campaigns/<int:campaign_id>/",
        workspace_campaign,
        name="workspace_campaign",
    ),
    path(
        "consultations/<slug:slug>/answers/<int:answer_id>/report/",
        workspace_answer_report,
        name="workspace_answer_report",
    ),
]
