"""A consultation whose respondents fall into groups large enough for the fairness check to show
them: by the language of the pages and of the answers, by region, with an agreement question the
groups answered differently. Read by the fairness tests and the browser test of that page."""

from __future__ import annotations

from dataclasses import dataclass

from consult.models import Answer, Consultation, EqualityInformation, Flag, Question, Response
from tests.factories import make_consultation, make_response, make_run_with_themes


@dataclass
class Groups:
    consultation: Consultation
    agree: Question


def _respond(consultation: Consultation, point: int, why: str, *, page_language: str, written_in: str) -> Answer:
    """A sent response with an agreement point and a written answer, the pages' language and the
    language the analysis found the answer in; returns the written answer."""
    questions = {q.position: q for q in consultation.questions.all()}
    response = make_response(consultation, {questions[1]: point, questions[2]: why})
    Response.objects.filter(pk=response.pk).update(language=page_language)
    answer = response.answers.get(question=questions[2])
    Answer.objects.filter(pk=answer.pk).update(language=written_in)
    return answer


def build_groups() -> Groups:
    """Twelve Londoners on the English pages (9 agree, 3 disagree; half their answers in a theme);
    twelve people in Wales on the Welsh pages (2 agree, 1 neither, 9 disagree; ten answers in
    Welsh, two of them in a theme, one flagged, and two in English, both in a theme); three
    organisations on the English pages who all agree and whose answers were not read yet."""
    consultation = make_consultation(phase="closed")
    london = []
    for n, point in enumerate([5, 4] * 4 + [5, 2, 2, 2]):
        answer = _respond(consultation, point, f"London answer {n}", page_language="en-gb", written_in="en")
        EqualityInformation.objects.create(response=answer.response, region="london")
        london.append(answer)
    welsh, welsh_in_english = [], []
    for n, point in enumerate([4, 4, 3] + [1] * 9):
        written_in = "cy" if n < 10 else "en"
        answer = _respond(consultation, point, f"Ateb {n}", page_language="cy", written_in=written_in)
        EqualityInformation.objects.create(response=answer.response, region="wales")
        (welsh if written_in == "cy" else welsh_in_english).append(answer)
    questions = {q.position: q for q in consultation.questions.all()}
    for n in range(3):
        make_response(
            consultation,
            {questions[1]: 5, questions[2]: f"Organisation answer {n}"},
            respondent_type="organisation",
            organisation_name=f"Advice group {n}",
        )
    # Withdrawn: counted nowhere.
    make_response(consultation, {questions[1]: 5, questions[2]: "I changed my mind"}, status="withdrawn")
    make_run_with_themes(questions[2], {"Speed": london[:6] + welsh[:2], "Trust": welsh_in_english})
    Flag.objects.create(answer=welsh[5], reason=Flag.Reason.SPAM)
    return Groups(consultation, questions[1])
