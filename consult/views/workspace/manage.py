"""Workspace: running a consultation. Its details and schedule, the AI tool record, its questions,
a respondent's preview, publishing, and sharing with officials of other departments."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse

from consult.access import departments_with_permission, get_workspace_consultation, get_workspace_question
from consult.forms.respond import AnswerForm
from consult.forms.workspace.manage import AIToolRecordForm, ConsultationForm, QuestionForm, ShareForm
from consult.models import AIToolRecord, Consultation, Permission
from consult.services import consultations as services
from consult.views.workspace.base import official_required


def _page(request: HttpRequest, template: str, consultation: Consultation | None, **context: object) -> HttpResponse:
    forms_ = [value for value in context.values() if hasattr(value, "is_bound")]
    return render(
        request,
        f"workspace/manage/{template}",
        {
            "consultation": consultation,
            "form_has_errors": any(form.is_bound and form.errors for form in forms_),
            # Messages that belong to no form field, shaped for the shared error summary.
            "error_items": [{"href": "", "text": message} for message in context.get("errors", [])],
            **context,
        },
    )


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (an empty QueryDict is falsy, and would leave
    the form unbound and its errors unshown); None for a GET."""
    return request.POST if request.method == "POST" else None


# --- The consultation -------------------------------------------------------------------------


@official_required
def workspace_consultation_create(request: HttpRequest) -> HttpResponse:
    departments = departments_with_permission(request, Permission.MANAGE)
    form = ConsultationForm(_posted(request), departments=departments)
    if request.method == "POST" and form.is_valid():
        consultation = services.create_consultation(request.user, form.chosen_department, form.changes())
        messages.success(request, "Consultation created as a draft. Now describe the AI tool.")
        return redirect("workspace_ai_tool_edit", consultation.slug)
    return _page(request, "consultation_form.html", None, form=form, department=getattr(form, "only_department", None))


@official_required
def workspace_consultation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.MANAGE)
    form = ConsultationForm(_posted(request), consultation=consultation)
    if request.method == "POST" and form.is_valid():
        changed = services.update_consultation(request.user, consultation, form.changes())
        messages.success(request, "Details saved." if changed else "Nothing changed.")
        return redirect("workspace_consultation", consultation.slug)
    return _page(request, "consultation_form.html", consultation, form=form, workspace_section="details")


@official_required
def workspace_ai_tool_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The AI tool record. It is public, so every official who can see the consultation reads it
    here; those whose role may manage the consultation edit it (a POST needs MANAGE)."""
    reading = request.method in ("GET", "HEAD")
    consultation = get_workspace_consultation(request, slug, Permission.VIEW if reading else Permission.MANAGE)
    record = AIToolRecord.objects.filter(consultation=consultation).first()
    if Permission.MANAGE not in request.workspace_permissions:
        return render(
            request,
            "workspace/manage/ai_tool.html",
            {"consultation": consultation, "tool": record, "workspace_section": "overview"},
        )
    form = AIToolRecordForm(_posted(request), record=record)
    if request.method == "POST" and form.is_valid():
        services.save_ai_tool_record(request.user, consultation, form.cleaned_data)
        messages.success(request, "AI tool record saved.")
        if not consultation.questions.exists():
            return redirect("workspace_question_create", consultation.slug)
        return redirect("workspace_consultation", consultation.slug)
    return _page(request, "ai_tool_form.html", consultation, form=form, record=record, workspace_section="details")


@official_required
def workspace_publish(request: HttpRequest, slug: str) -> HttpResponse:
    """GET shows what publishing needs; POST publishes or takes back to draft."""
    consultation = get_workspace_consultation(request, slug, Permission.MANAGE)
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("publish", "unpublish"):
            return HttpResponseBadRequest("Say whether to publish or unpublish.")
        try:
            if action == "publish":
                services.publish_consultation(request.user, consultation)
                messages.success(request, "The consultation is published. It opens and closes at the times set.")
            else:
                services.unpublish_consultation(request.user, consultation)
                messages.success(request, "The consultation is a draft again. The public can no longer see it.")
            return redirect("workspace_consultation", consultation.slug)
        except services.ChangeRefused as refused:
            errors = refused.messages
    return _page(
        request,
        "publish.html",
        consultation,
        errors=errors,
        form_has_errors=bool(errors),
        problems=[] if consultation.is_published else services.publication_problems(consultation),
        has_responses=consultation.responses.exists(),
        workspace_section="overview",
    )


# --- Questions --------------------------------------------------------------------------------


@official_required
def workspace_questions(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    questions = list(consultation.questions.select_related("explains").prefetch_related("options"))
    return _page(
        request,
        "questions.html",
        consultation,
        questions=questions,
        can_manage=Permission.MANAGE in request.workspace_permissions,
        is_locked=services.has_sent_responses(consultation),
        workspace_section="questions",
    )


def _question_values(form: QuestionForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.QUESTION_FIELDS}


@official_required
def workspace_question_create(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.MANAGE)
    form = QuestionForm(_posted(request), consultation=consultation)
    if request.method == "POST" and form.is_valid():
        services.add_question(
            request.user,
            consultation,
            _question_values(form),
            form.cleaned_data["options"],
            form.cleaned_data["options_cy"],
            form.cleaned_data["exclusive_option"],
        )
        messages.success(request, "Question added.")
        return redirect("workspace_questions", consultation.slug)
    return _page(request, "question_form.html", consultation, form=form, workspace_section="questions")


@official_required
def workspace_question_edit(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    question = get_workspace_question(request, slug, question_id, Permission.MANAGE)
    consultation = question.consultation
    is_locked = services.has_sent_responses(consultation)
    form = QuestionForm(_posted(request), consultation=consultation, question=question, is_locked=is_locked)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_question(
                request.user,
                question,
                _question_values(form),
                form.cleaned_data["options"],
                form.cleaned_data["options_cy"],
                form.cleaned_data["exclusive_option"],
            )
        except services.ChangeRefused as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Question saved.")
            return redirect("workspace_questions", consultation.slug)
    return _page(
        request,
        "question_form.html",
        consultation,
        form=form,
        question=question,
        is_locked=is_locked,
        workspace_section="questions",
    )


@official_required
def workspace_question_delete(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """GET asks to confirm; POST deletes, unless people have already answered."""
    question = get_workspace_question(request, slug, question_id, Permission.MANAGE)
    consultation = question.consultation
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.delete_question(request.user, question)
        except services.ChangeRefused as refused:
            errors = refused.messages
        else:
            messages.success(request, "Question deleted.")
            return redirect("workspace_questions", consultation.slug)
    elif services.has_sent_responses(consultation):
        errors = ["People have already answered, so questions can no longer be deleted"]
    return _page(
        request,
        "question_delete.html",
        consultation,
        question=question,
        errors=errors,
        form_has_errors=request.method == "POST" and bool(errors),
        workspace_section="questions",
    )


@official_required
def workspace_question_move(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """POST `direction` up or down. Works without JavaScript: a button per direction."""
    question = get_workspace_question(request, slug, question_id, Permission.MANAGE)
    if request.method == "POST":
        direction = request.POST.get("direction")
        if direction in ("up", "down"):
            services.move_question(request.user, question, direction)
    return redirect(f"{reverse('workspace_questions', args=[question.consultation.slug])}#question-{question.pk}")


# --- Preview ----------------------------------------------------------------------------------


@official_required
def workspace_preview(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_workspace_consultation(request, slug, Permission.VIEW)
    questions = list(consultation.questions.all())
    return render(
        request,
        "workspace/manage/preview.html",
        {
            "consultation": consultation,
            "tool": AIToolRecord.objects.filter(consultation=consultation).first(),
            "questions": questions,
        },
    )


@official_required
def workspace_preview_question(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """A question page exactly as respondents see it. Answers are checked, so officials can see the
    error messages, and never saved: a preview creates no response."""
    question = get_workspace_question(request, slug, question_id, Permission.VIEW)
    consultation = question.consultation
    questions = list(consultation.questions.select_related("explains").prefetch_related("options"))
    question = next(q for q in questions if q.pk == question.pk)
    position = questions.index(question)
    form = AnswerForm(question, _posted(request))
    if request.method == "POST" and "save_and_return" not in request.POST and form.is_valid():
        if position + 1 < len(questions):
            return redirect("workspace_preview_question", consultation.slug, questions[position + 1].pk)
        messages.info(request, "That was the last question. Respondents check their answers next. Nothing was saved.")
        return redirect("workspace_preview", consultation.slug)
    if "save_and_return" in request.POST:
        messages.info(request, "In a preview nothing is saved, so there is no link to come back to.")
    previous = questions[position - 1] if position else None
    return render(
        request,
        "workspace/manage/preview_question.html",
        {
            "consultation": consultation,
            "question": question,
            "form": form,
            "form_has_errors": request.method == "POST" and bool(form.errors),
            "caption": f"Question {position + 1} of {len(questions)}" + ("" if question.is_required else " (optional)"),
            "hint": question.hint_for_respondents,
            # The real page quotes the earlier answer; a preview has none to quote.
            "explained_answer": ["(their answer)"] if question.explains_id else None,
            # Draws the buttons a respondent sees on a first pass through the questions.
            "response": {"is_draft": True},
            "back_url": reverse("workspace_preview_question", args=[consultation.slug, previous.pk])
            if previous
            else reverse("workspace_preview", args=[consultation.slug]),
        },
    )


# --- Sharing ----------------------------------------------------------------------------------


@official_required
def workspace_sharing(request: HttpRequest, slug: str) -> HttpResponse:
    """Who the consultation is shared with; POST adds a share, or removes one (`remove`)."""
    consultation = get_workspace_consultation(request, slug, Permission.MANAGE)
    form = ShareForm(consultation=consultation, actor=request.user)
    if request.method == "POST" and "remove" in request.POST:
        share_id = request.POST["remove"]
        share = get_object_or_404(consultation.shares.select_related("user"), pk=share_id if share_id.isdigit() else 0)
        services.remove_share(request.user, share)
        messages.success(request, f"{share.user.email} can no longer see this consultation.")
        return redirect("workspace_sharing", consultation.slug)
    if request.method == "POST":
        form = ShareForm(request.POST, consultation=consultation, actor=request.user)
        if form.is_valid():
            services.share_consultation(
                request.user, consultation, form.cleaned_data["email"], form.cleaned_data["role"]
            )
            messages.success(request, f"Shared with {form.cleaned_data['email'].email}.")
            return redirect("workspace_sharing", consultation.slug)
    shares = consultation.shares.select_related("user", "shared_by").order_by("created_at")
    return _page(request, "sharing.html", consultation, form=form, shares=shares, workspace_section="details")


urlpatterns: list[URLPattern] = [
    path("new-consultation/", workspace_consultation_create, name="workspace_consultation_create"),
    path("consultations/<slug:slug>/details/", workspace_consultation_edit, name="workspace_consultation_edit"),
    path("consultations/<slug:slug>/ai-tool/", workspace_ai_tool_edit, name="workspace_ai_tool_edit"),
    path("consultations/<slug:slug>/publish/", workspace_publish, name="workspace_publish"),
    path("consultations/<slug:slug>/sharing/", workspace_sharing, name="workspace_sharing"),
    path("consultations/<slug:slug>/questions/", workspace_questions, name="workspace_questions"),
    path("consultations/<slug:slug>/questions/new/", workspace_question_create, name="workspace_question_create"),
    path(
        "consultations/<slug:slug>/questions/<int:question_id>/",
        workspace_question_edit,
        name="workspace_question_edit",
    ),
    path(
        "consultations/<slug:slug>/questions/<int:question_id>/delete/",
        workspace_question_delete,
        name="workspace_question_delete",
    ),
    path(
        "consultations/<slug:slug>/questions/<int:question_id>/move/",
        workspace_question_move,
        name="workspace_question_move",
    ),
    path("consultations/<slug:slug>/preview/", workspace_preview, name="workspace_preview"),
    path(
        "consultations/<slug:slug>/preview/<int:question_id>/",
        workspace_preview_question,
        name="workspace_preview_question",
    ),
]
