"""Reads for pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from consult.models import Answer, Consultation, Question, Response, User


@dataclass(frozen=True)
class AnsweredQuestion:
    question: Question
    answer: Answer | None

    @property
    def display(self) -> list[str]:
        """The answer as lines of plain text, ready to show."""
        if self.answer is None:
            return []
        if self.question.is_free_text:
            return [self.answer.text] if self.answer.text else []
        if self.question.kind == Question.Kind.AGREEMENT:
            return [self.answer.get_agreement_display()] if self.answer.agreement else []
        # An option shows in the page's language (`Option.__str__`).
        return [str(option) for option in self.answer.options.all()]


def questions_with_answers(response: Response) -> list[AnsweredQuestion]:
    answers = {
        answer.question_id: answer for answer in response.answers.prefetch_related("options").select_related("question")
    }
    return [
        AnsweredQuestion(question, answers.get(question.pk))
        for question in response.consultation.questions.select_related("explains")
    ]


def consultation_list(phase: str, words: str) -> QuerySet[Consultation]:
    consultations = Consultation.objects.select_related("department")
    if phase == "open":
        consultations = consultations.taking_responses()
    elif phase == "upcoming":
        consultations = consultations.upcoming_at()
    elif phase == "closed":
        consultations = consultations.closed_at()
    else:
        consultations = consultations.published()
    if words:
        consultations = consultations.search(words).distinct()
    return consultations.order_by("closes_at" if phase in ("open", "upcoming") else "-closes_at")


def consultation_page(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_related("department", "ai_tool")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.prefetch_related("options")))
        .get(pk=consultation.pk)
    )


def current_response_for(user: User, consultation: Consultation) -> Response | None:
    """The signed-in person's draft or submitted response to this consultation, if any."""
    if not user.is_authenticated:
        return None
    return (
        Response.objects.filter(user=user, consultation=consultation)
        .exclude(status=Response.Status.WITHDRAWN)
        .order_by("-created_at")
        .first()
    )


def responses_of(user: User) -> QuerySet[Response]:
    return Response.objects.filter(user=user).select_related("consultation").order_by("-updated_at")
