"""`manage.py load_demo` loads a realistic, repeatable demo that the public pages can show."""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consult.demo.campaign import CAMPAIGN_MARKER
from consult.demo.catalogue import OFFICIAL_EMAIL, OFFICIAL_PASSWORD, PLANS
from consult.models import Answer, Consultation, EqualityInformation, Option, Phase, Question, Response, User

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MAIN = "ai-assistant-for-benefit-enquiries"


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def why_texts(consultation: Consultation) -> list[str]:
    why = consultation.questions.get(explains__isnull=False)
    return list(
        Answer.objects.filter(question=why, response__status=Response.Status.SUBMITTED).values_list("text", flat=True)
    )


def test_main_consultation_is_open_with_a_tool_record_and_every_kind_of_question() -> None:
    load()
    consultation = Consultation.objects.get(slug=MAIN)

    assert consultation.phase is Phase.OPEN
    assert consultation.allows_anonymous_responses
    assert all(text.strip() for _, text in consultation.ai_tool.sections())
    assert consultation.ai_tool.owner and consultation.ai_tool.supplier
    questions = list(consultation.questions.all())
    assert len(questions) >= 5
    assert {question.kind for question in questions} == set(Question.Kind.values)
    why = consultation.questions.get(explains__isnull=False)
    assert why.is_free_text and why.explains.kind == Question.Kind.AGREEMENT
    assert any(not question.is_required for question in questions)


def test_main_consultation_has_hundreds_of_submitted_responses_with_varied_reasons() -> None:
    load()
    consultation = Consultation.objects.get(slug=MAIN)

    assert consultation.responses.submitted().count() >= 300
    reasons = [text for text in why_texts(consultation) if CAMPAIGN_MARKER not in text]
    assert len(set(reasons)) >= 250
    lengths = sorted(len(text) for text in reasons)
    assert lengths[0] < 20 and lengths[-1] > 1000
    assert any(text == text.lower() and len(text) > 80 for text in reasons)
    assert any("\n\n" in text for text in reasons)


def test_agreement_follows_from_the_reason_given() -> None:
    load()
    consultation = Consultation.objects.get(slug=MAIN)
    agreement_of = dict(
        Answer.objects.filter(question__consultation=consultation, question__kind=Question.Kind.AGREEMENT).values_list(
            "response_id", "agreement"
        )
    )

    why = consultation.questions.get(explains__isnull=False)
    checked = 0
    for response_id, text in Answer.objects.filter(question=why).values_list("response_id", "text"):
        if text.startswith(("I completely disagree", "I am strongly opposed", "This is a terrible idea")):
            assert agreement_of[response_id] == 1
            checked += 1
        if text.startswith(("Fully support this.", "I strongly agree", "I think this is a great idea")):
            assert agreement_of[response_id] == 5
            checked += 1
    assert checked >= 10
    assert set(agreement_of.values()) == {1, 2, 3, 4, 5}


def test_organisations_respond_in_their_own_name_at_length() -> None:
    load()
    consultation = Consultation.objects.get(slug=MAIN)
    organisations = consultation.responses.submitted().filter(respondent_type=Response.RespondentType.ORGANISATION)

    assert 25 <= organisations.count() <= 45
    assert organisations.exclude(organisation_name="").count() == organisations.count()
    assert organisations.values("organisation_name").distinct().count() == organisations.count()
    texts = Answer.objects.filter(response__in=organisations, question__explains__isnull=False)
    assert min(len(answer.text) for answer in texts) > 600


def test_a_campaign_answer_is_pasted_in_many_times_some_with_additions() -> None:
    load()
    copies = [text for text in why_texts(Consultation.objects.get(slug=MAIN)) if CAMPAIGN_MARKER in text]

    assert len(copies) >= 30
    assert 1 < len(set(copies)) < len(copies)


def test_some_answers_hold_personal_details_for_a_redactor_to_catch() -> None:
    load()
    texts = " ".join(Answer.objects.filter(response__consultation__slug=MAIN).values_list("text", flat=True))

    assert re.search(r"\b07700 ?900\d{3}\b", texts)
    assert re.search(r"\bQQ ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", texts)
    assert re.search(r"\b[a-z.]+\.demo@example\.com\b", texts)
    assert re.search(r"\b[A-Z]{2}\d \d[A-Z]{2}\b", texts)


def test_every_answer_fits_its_question_and_every_required_question_is_answered() -> None:
    load()

    for answer in Answer.objects.select_related("question").filter(question__kind=Question.Kind.FREE_TEXT):
        assert 0 < len(answer.text) <= answer.question.max_length
    for option_answer in Answer.options.through.objects.select_related("answer", "option"):
        assert option_answer.option.question_id == option_answer.answer.question_id
    for response in Response.objects.submitted().prefetch_related("answers"):
        answered = {answer.question_id for answer in response.answers.all()}
        required = set(response.consultation.questions.filter(is_required=True).values_list("pk", flat=True))
        assert required <= answered, response.start_key
        assert response.respondent_type
    single = Answer.objects.filter(question__kind=Question.Kind.SINGLE_CHOICE).annotate(chosen=Count("options"))
    assert set(single.values_list("chosen", flat=True)) == {1}
    # "Nothing worries me" excludes every worry, and no demo answer ticks it with one.
    exclusive = Option.objects.filter(is_exclusive=True)
    assert "Nothing worries me" in set(exclusive.values_list("label", flat=True))
    chosen = Answer.options.through.objects
    with_exclusive = chosen.filter(option__in=exclusive).values("answer_id")
    per_answer = chosen.filter(answer_id__in=with_exclusive).values("answer_id").annotate(count=Count("id"))
    assert per_answer and {row["count"] for row in per_answer} == {1}


def test_responses_arrive_over_the_days_the_consultation_has_been_open() -> None:
    load()
    consultation = Consultation.objects.get(slug=MAIN)
    submitted = consultation.responses.submitted()

    times = list(submitted.values_list("created_at", "submitted_at"))
    assert all(consultation.opens_at <= created <= sent <= timezone.now() for created, sent in times)
    assert len({sent.date() for _, sent in times}) >= 9
    with_equality = EqualityInformation.objects.filter(response__in=submitted).count()
    assert 0.2 < with_equality / submitted.count() < 0.4
    assert submitted.exclude(email="").count() < submitted.count() / 4
    assert not submitted.exclude(user=None).exists()


def test_loading_twice_leaves_the_same_data() -> None:
    load()
    first = _snapshot()

    load()

    assert _snapshot() == first


def _snapshot() -> dict[str, object]:
    return {
        "counts": [
            model.objects.count()
            for model in (Consultation, Question, Option, Response, Answer, EqualityInformation, User, EmailAddress)
        ],
        "texts": sorted(Answer.objects.values_list("text", flat=True)),
        "start_keys": sorted(Response.objects.values_list("start_key", flat=True)),
    }


def test_the_public_sees_every_published_demo_consultation_but_not_the_draft(client: Client) -> None:
    summary = load()
    draft = Consultation.objects.get(is_published=False)

    page = client.get(reverse("consultation_list")).content.decode()

    for plan in PLANS:
        if plan.spec.is_published:
            assert plan.spec.title in page
            assert plan.spec.title in summary
    assert draft.title not in page
    detail = client.get(reverse("consultation_detail", args=[MAIN]))
    assert detail.status_code == 200
    assert "Benefit Enquiry Assistant" in detail.content.decode()
    assert client.get(reverse("consultation_detail", args=[draft.slug])).status_code == 404
    phases = {consultation.phase for consultation in Consultation.objects.all()}
    assert phases == {Phase.OPEN, Phase.CLOSED, Phase.UPCOMING, Phase.DRAFT}


def test_the_demo_official_can_sign_in(client: Client) -> None:
    load()
    official = User.objects.get(email=OFFICIAL_EMAIL)
    official.set_password("changed-by-someone")
    official.save()

    load()

    assert client.login(email=OFFICIAL_EMAIL, password=OFFICIAL_PASSWORD)
    official.refresh_from_db()
    assert official.is_staff and official.is_superuser
    assert EmailAddress.objects.get(user=official).verified


def test_each_demo_official_signs_in_with_the_published_code_and_sees_every_demo_consultation(
    client: Client,
) -> None:
    from consult.demo.catalogue import DEMO_OFFICIALS, DEMO_TOTP_SECRET
    from tests.factories import totp_code

    printed = load()
    assert DEMO_TOTP_SECRET in printed
    load()  # loading again keeps one authenticator and one membership per department
    for email, _ in DEMO_OFFICIALS:
        client.logout()
        assert client.post(reverse("account_login"), {"login": email, "password": OFFICIAL_PASSWORD})[
            "Location"
        ] == reverse("mfa_authenticate")
        signed_in = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
        assert signed_in["Location"] == reverse("workspace_home")
        home = client.get(reverse("workspace_home")).content.decode()
        for plan in PLANS:
            assert plan.spec.title in home, (email, plan.spec.title)


@pytest.mark.parametrize("language", ["", "/cy"])
def test_the_search_boxs_examples_each_find_a_demo_consultation(language: str) -> None:
    load()
    client = Client()
    page = client.get(f"{language}/").content.decode()
    hint = re.search(r'id="q-hint"[^>]*>([^<]+)<', page)
    assert hint, "the search box has no hint"
    examples = re.findall(r"(?:,|\bor\b|\bneu\b)\s+([\w-]+)", hint.group(1))
    assert len(examples) == 2, hint.group(1)
    for word in examples:
        found = client.get(f"{language}/", {"q": word}).content.decode()
        assert re.search(r"<h3[^>]*><a class=\"govuk-link\"", found), (word, hint.group(1))
