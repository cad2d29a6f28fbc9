"""The respondent's journey: about you, one question per page, check answers, submit, equality
questions, confirmation; and later, view, change or withdraw.

Every page is reached through the response's signed token (see `access.response_token`), so the
journey needs no cookie to pick up where it stopped. A link that was replaced or has expired
answers with a page offering a new one (`views.public.response_links`).
"""

from collections.abc import Callable, Sequence
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from consult.access import ResponseLinkGone, get_response_for_token, may_work_on_response, response_link
from consult.forms.respond import AboutYouForm, AnswerForm, EqualityForm, ResumeLinkForm, WithdrawForm
from consult.models import Answer, EqualityInformation, Question, Response
from consult.queries import outcome as queries_outcome
from consult.queries import public as queries
from consult.services import intake, organisations
from consult.services import responses as services
from consult.views.public.response_links import response_link_gone
from consult.views.ratelimits import response_rate

JourneyView = Callable[[HttpRequest, Response, str], HttpResponse]


def _locked_page(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    """The clear page shown instead of a form when a response can no longer change."""
    return render(request, "consult/response_locked.html", {"response": response, "token": token})


def _outside_the_organisation(request: HttpRequest) -> HttpResponse:
    """An organisation's response opens only for its signed-in members: a link forwarded outside
    the organisation, or kept by someone removed from it, opens nothing."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404("No response matches this link.")


def journey_request(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET shows a journey page, POST saves it; posts from one address are rate-limited."""
    return require_http_methods(["GET", "POST"])(
        ratelimit(group="responses", key="ip", rate=response_rate, method="POST", block=True)(view)
    )


def changeable_response(view: JourneyView) -> Callable[..., HttpResponse]:
    """Load the response behind the token; refuse with a clear page once it cannot change."""
    return journey_request(_loading_changeable_response(view))


def _loading_response(view: JourneyView) -> Callable[..., HttpResponse]:
    """Load the response behind the token for whoever may open it; a replaced or expired link
    answers with the page that offers a new one."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: object) -> HttpResponse:
        try:
            response = get_response_for_token(request, token)
        except ResponseLinkGone as gone:
            return response_link_gone(request, gone)
        if not may_work_on_response(request.user, response):
            return _outside_the_organisation(request)
        return view(request, response, token, **kwargs)

    return wrapper


def _loading_changeable_response(view: JourneyView) -> Callable[..., HttpResponse]:
    @_loading_response
    @wraps(view)
    def wrapper(request: HttpRequest, response: Response, token: str, **kwargs: object) -> HttpResponse:
        if not response.is_changeable:
            return _locked_page(request, response, token)
        try:
            return view(request, response, token, **kwargs)
        except services.ResponseLocked:
            # The consultation closed between loading the page and saving it.
            return _locked_page(request, response, token)

    return wrapper


def _questions(response: Response) -> list[Question]:
    return list(intake.journey_questions(response.consultation).questions)


def _next_url(response: Response, token: str, questions: Sequence[Question], current: Question | None) -> str:
    """Where Continue goes: the next question, or check answers after the last."""
    position = -1 if current is None else questions.index(current)
    if response.is_draft and position + 1 < len(questions):
        return reverse("answer_question", args=[token, questions[position + 1].pk])
    return reverse("check_answers", args=[token])


def _back_url(token: str, questions: Sequence[Question], current: Question | None, is_change: bool) -> str:
    if is_change:
        return reverse("check_answers", args=[token])
    if current is None:
        return ""
    position = questions.index(current)
    if position == 0:
        return reverse("about_you", args=[token])
    return reverse("answer_question", args=[token, questions[position - 1].pk])


def _wants_to_save_and_return(request: HttpRequest) -> bool:
    return "save_and_return" in request.POST


@changeable_response
def about_you(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    if response.organisation_id is not None:
        # An organisation's response has its own about step (naming and publication consent).
        change = "?change=1" if request.GET.get("change") == "1" else ""
        return redirect(reverse("organisation_consent", args=[token]) + change)
    asks_email = response.user_id is None
    is_change = request.GET.get("change") == "1" or not response.is_draft
    if request.method == "POST":
        form = AboutYouForm(request.POST, asks_email=asks_email)
        if form.is_valid():
            services.record_respondent(
                response,
                form.cleaned_data["respondent_type"],
                form.cleaned_data["organisation_name"],
                form.cleaned_data.get("email", response.email),
            )
            # One field of one row, already checked changeable by record_respondent: no service.
            response.is_publication_consented = form.cleaned_data["is_publication_consented"]
            response.save(update_fields=["is_publication_consented", "updated_at"])
            if _wants_to_save_and_return(request):
                return redirect("save_and_return", token)
            if is_change:
                return redirect("check_answers", token)
            return redirect(_next_url(response, token, _questions(response), None))
    else:
        form = AboutYouForm(
            initial={
                "respondent_type": response.respondent_type,
                "organisation_name": response.organisation_name,
                "email": response.email,
                # Not asked yet while the respondent has not been through this page.
                "is_publication_consented": (
                    ("yes" if response.is_publication_consented else "no") if response.respondent_type else None
                ),
            },
            asks_email=asks_email,
        )
    return render(
        request,
        "consult/about_you.html",
        {
            "response": response,
            "consultation": response.consultation,
            "token": token,
            "form": form,
            "form_has_errors": form.is_bound and not form.is_valid(),
            "back_url": reverse("check_answers", args=[token])
            if is_change
            else response.consultation.get_absolute_url(),
        },
    )


@journey_request
def answer_question(request: HttpRequest, token: str, question_id: int) -> HttpResponse:
    if request.method == "POST":
        saved = _save_answer_in_one_statement(request, token, question_id)
        if saved is not None:
            return saved
    return _answer_question(request, token, question_id=question_id)


def _save_answer_in_one_statement(request: HttpRequest, token: str, question_id: int) -> HttpResponse | None:
    """The common case of the busiest request, without loading the response first: a valid answer
    to a question this process has shown before. None sends the
    request down the full path (`_answer_question`), which explains anything unusual."""
    journey = intake.remembered_questions(question_id)
    link = response_link(token)
    if journey is None or link is None:
        return None
    index = journey.index(question_id)
    question = journey.questions[index] if index is not None else None
    if question is None:
        return None
    form = AnswerForm(question, request.POST)
    if not form.is_valid():
        return None
    saved = services.save_answer_in_one_statement(
        link.reference, link.generation, journey, question, **form.answer_kwargs()
    )
    if saved is None:
        return None
    if _wants_to_save_and_return(request):
        return redirect("save_and_return", token)
    if request.GET.get("change") == "1" or saved.is_submitted or index + 1 == len(journey.questions):
        return redirect("check_answers", token)
    return redirect("answer_question", token, journey.questions[index + 1].pk)


@_loading_changeable_response
def _answer_question(request: HttpRequest, response: Response, token: str, question_id: int) -> HttpResponse:
    questions = _questions(response)
    # A question of another consultation is simply not found here.
    question = next((q for q in questions if q.pk == question_id), None)
    if question is None:
        raise Http404("No such question in this consultation.")
    is_change = request.GET.get("change") == "1" or not response.is_draft
    # An organisation's shared draft carries the answer's version, so that no member overwrites
    # another's answer unseen; a person's own response carries none and pays nothing for it.
    is_shared = response.organisation_id is not None
    version = request.POST.get("version", "") if is_shared else None
    conflict = None
    if request.method == "POST":
        form = AnswerForm(question, request.POST)
        if form.is_valid():
            try:
                services.save_answer(response, question, expected_version=version, **form.answer_kwargs())
            except services.AnswerChanged as changed:
                conflict = queries.AnsweredQuestion(question, changed.answer).display
                version = services.answer_version(changed.answer)
                form.add_error("answer", _(ANSWER_CHANGED))
            else:
                if _wants_to_save_and_return(request):
                    return redirect("save_and_return", token)
                if is_change:
                    return redirect("check_answers", token)
                return redirect(_next_url(response, token, questions, question))
    else:
        existing = response.answers.filter(question=question).prefetch_related("options").first()
        form = AnswerForm(question, initial={"answer": _initial_answer(question, existing)})
        version = services.answer_version(existing) if is_shared else None
    explained_answer = None
    if question.explains_id:
        explained = response.answers.filter(question_id=question.explains_id).prefetch_related("options").first()
        explained_answer = queries.AnsweredQuestion(question.explains, explained).display if explained else None
    return render(
        request,
        "consult/answer_question.html",
        {
            "response": response,
            "consultation": response.consultation,
            "token": token,
            "question": question,
            "caption": (
                _("Question %(number)s of %(count)s")
                if question.is_required
                else _("Question %(number)s of %(count)s (optional)")
            )
            % {"number": questions.index(question) + 1, "count": len(questions)},
            "hint": question.hint_for_respondents,
            "form": form,
            "form_has_errors": form.is_bound and not form.is_valid(),
            "explained_answer": explained_answer,
            "back_url": _back_url(token, questions, question, is_change),
            "version": version,
            "conflict": conflict,
        },
    )


# Shown when another member of the organisation saved the same answer in between. Marked here
# for translation (gettext_noop), translated when shown.
ANSWER_CHANGED = gettext_noop(
    "Someone else saved an answer to this question after you opened it. Their answer is shown on "
    "this page and yours is still in the box: check both, then save again to replace theirs with yours"
)


def _initial_answer(question: Question, answer: Answer | None) -> str | int | list[int] | None:
    if answer is None:
        return None
    if question.is_free_text:
        return answer.text
    if question.kind == Question.Kind.AGREEMENT:
        return answer.agreement
    chosen = [option.pk for option in answer.options.all()]
    if question.kind == Question.Kind.SINGLE_CHOICE:
        return chosen[0] if chosen else None
    return chosen


@journey_request
def check_answers(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        # "Accept and send": the common case is one statement, without loading the response.
        link = response_link(token)
        if link is not None and services.send_in_one_statement(link.reference, link.generation):
            return redirect("equality_information", token)
    return _check_answers(request, token)


@_loading_changeable_response
def _check_answers(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    missing: list[Question] = []
    needs_respondent = False
    needs_admin = False
    # Only for an organisation's response: whether this member may sign it off and send it.
    may_sign_off = response.organisation_id is not None and organisations.is_organisation_admin(
        request.user, response.organisation_id
    )
    if request.method == "POST":
        if response.is_submitted:
            messages.success(request, _("Your changes have been saved."))
            return redirect("response_detail", token)
        try:
            if response.organisation_id is None:
                services.submit_response(response)
            else:
                organisations.sign_off_organisation_response(response, request.user)
        except services.ResponseIncomplete as incomplete:
            missing = incomplete.missing
            needs_respondent = not response.respondent_type
        except (organisations.NotAnAdmin, services.NeedsSignOff):
            needs_admin = True
        else:
            return redirect(_after_sending(response), token)
    return render(
        request,
        "consult/check_answers.html",
        {
            "response": response,
            "consultation": response.consultation,
            "token": token,
            "answers": queries.questions_with_answers(response),
            "missing": missing,
            "needs_respondent": needs_respondent,
            "needs_admin": needs_admin,
            "may_sign_off": may_sign_off,
            "form_has_errors": bool(missing) or needs_respondent or needs_admin,
        },
    )


def _after_sending(response: Response) -> str:
    """Where a sent response goes: the optional questions about the person who sent it, or
    straight to the confirmation for an organisation's, since they are about a person."""
    return "confirmation" if response.is_for_organisation else "equality_information"


@changeable_response
def equality_information(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    if not response.is_submitted:
        return redirect("response_detail", token)
    if response.is_for_organisation:
        # "Accept and send" comes here without loading the response (`check_answers`).
        return redirect("confirmation", token)
    existing = EqualityInformation.objects.filter(response=response).first()
    if request.method == "POST":
        form = EqualityForm(request.POST)
        if form.is_valid():
            if form.has_answers():
                services.save_equality_information(response, **form.cleaned_data)
            return redirect("confirmation", token)
    else:
        form = EqualityForm(
            initial={name: getattr(existing, name) for name in EqualityForm.base_fields} if existing else None
        )
    return render(
        request,
        "consult/equality_information.html",
        {
            "response": response,
            "consultation": response.consultation,
            "token": token,
            "form": form,
            "form_has_errors": form.is_bound and not form.is_valid(),
        },
    )


@_loading_response
def confirmation(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    if not response.is_submitted:
        return redirect("response_detail", token)
    return render(
        request,
        "consult/confirmation.html",
        {"response": response, "consultation": response.consultation, "token": token},
    )


@_loading_response
def response_detail(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    return render(
        request,
        "consult/response_detail.html",
        {
            "response": response,
            "consultation": response.consultation,
            "token": token,
            "answers": queries.questions_with_answers(response),
            # Frozen when the outcome was published: None until then, or for a response not sent.
            "published_themes": queries_outcome.published_themes_of(response) if response.is_submitted else None,
            # Only an organisation's admins may withdraw its response; anyone may withdraw their own.
            "may_withdraw": response.organisation_id is None
            or organisations.is_organisation_admin(request.user, response.organisation_id),
        },
    )


@changeable_response
def save_and_return(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    form = ResumeLinkForm(request.POST if request.method == "POST" else None, initial={"email": response.email})
    if request.method == "POST" and form.is_valid():
        services.send_resume_link(response, form.cleaned_data["email"])
        messages.success(request, _("We have sent a link to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("save_and_return", token)
    return render(
        request,
        "consult/save_and_return.html",
        {
            "response": response,
            "consultation": response.consultation,
            "token": token,
            "form": form,
            "form_has_errors": form.is_bound and not form.is_valid(),
            "resume_url": request.build_absolute_uri(reverse("check_answers", args=[token])),
        },
    )


@changeable_response
def withdraw(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    if not response.is_submitted:
        return redirect("response_detail", token)
    if response.organisation_id is not None and not organisations.is_organisation_admin(
        request.user, response.organisation_id
    ):
        # Withdrawing speaks for the organisation, as sending did: an admin's decision.
        raise PermissionDenied("Only an admin of the organisation can withdraw its response.")
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm"] == "yes":
            services.withdraw_response(response)
            messages.success(request, _("Your response has been withdrawn."))
        return redirect("response_detail", token)
    return render(
        request,
        "consult/withdraw.html",
        {
            "response": response,
            "consultation": response.consultation,
            "token": token,
            "form": form,
            "form_has_errors": form.is_bound and not form.is_valid(),
        },
    )
