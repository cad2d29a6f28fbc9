"""A multiple-choice question's exclusive option ("Nothing worries me"): shown last after "or",
marked for GOV.UK Frontend to untick the others in the browser, and refused on the server together
with any other option, whichever way the answer is saved. Answers saved before are kept."""

import re

import pytest
from django.urls import reverse

from consult.demo.benefits import BENEFITS
from consult.models import Answer, Option, Question
from tests.factories import make_consultation
from tests.journey import answer_required, start
from tests.welsh_support import cy

pytestmark = pytest.mark.django_db

NOTHING = "Nothing worries me"
REFUSED = "Select “Nothing worries me”, or select the answers that apply"


def _with_exclusive_option(position: int = 4) -> tuple[Question, Option]:
    """The standard consultation, its worries question offering "Nothing worries me" at `position`
    among its options (the three standard worries move up to make room)."""
    consultation = make_consultation()
    worries = consultation.questions.get(position=4)
    for option in worries.options.filter(position__gte=position).order_by("-position"):
        option.position += 1
        option.save(update_fields=["position"])
    nothing = Option.objects.create(question=worries, position=position, label=NOTHING, is_exclusive=True)
    return worries, nothing


def _page_labels(page: str) -> list[str]:
    return re.findall(r'govuk-checkboxes__label" for="[^"]+">([^<]+)</label>', page)


def test_the_exclusive_option_comes_last_after_or_and_is_marked_exclusive(client):
    worries, nothing = _with_exclusive_option(position=1)
    token = start(client, worries.consultation)
    page = client.get(reverse("answer_question", args=[token, worries.pk])).content.decode()
    assert _page_labels(page) == ["Wrong answers", "Privacy", "No way to reach a person", NOTHING]
    divider = page.index('<div class="govuk-checkboxes__divider">or</div>')
    assert page.index("No way to reach a person") < divider < page.index(NOTHING)
    exclusive_inputs = re.findall(r"<input [^>]*data-behaviour=\"exclusive\"[^>]*>", page)
    assert len(exclusive_inputs) == 1 and f'value="{nothing.pk}"' in exclusive_inputs[0]
    assert page.count("govuk-checkboxes__divider") == 1


def test_a_question_without_an_exclusive_option_has_no_divider(client):
    consultation = make_consultation()
    worries = consultation.questions.get(position=4)
    token = start(client, consultation)
    page = client.get(reverse("answer_question", args=[token, worries.pk])).content.decode()
    assert "govuk-checkboxes__divider" not in page and "data-behaviour" not in page


def test_ticking_nothing_worries_me_with_a_worry_is_refused_with_an_error_summary(client):
    worries, nothing = _with_exclusive_option()
    token = start(client, worries.consultation)
    privacy = worries.options.get(label="Privacy")
    address = reverse("answer_question", args=[token, worries.pk])
    client.post(address, {"answer": [privacy.pk]})  # an answer saved before stays as it was
    # Twice: the first post may take the full path, the second the one-statement path (the
    # question is remembered by then); both check the form.
    for _ in range(2):
        page = client.post(address, {"answer": [privacy.pk, nothing.pk]})
        assert page.status_code == 200
        text = page.content.decode()
        summary = text[text.index("govuk-error-summary") : text.index("</ul>", text.index("govuk-error-summary"))]
        assert REFUSED in summary and 'href="#id_answer_0"' in summary
        assert re.search(r'class="govuk-error-message">.*' + re.escape(REFUSED), text)
        assert "govuk-form-group--error" in text
        assert [o.label for o in Answer.objects.get(question=worries).options.all()] == ["Privacy"]


def test_the_refusal_is_in_welsh_on_the_welsh_pages(client):
    worries, nothing = _with_exclusive_option()
    nothing.label_cy = "Does dim yn fy mhoeni"
    nothing.save(update_fields=["label_cy"])
    token = start(client, worries.consultation)
    privacy = worries.options.get(label="Privacy")
    page = client.post(cy("answer_question", token, worries.pk), {"answer": [privacy.pk, nothing.pk]})
    assert "Dewiswch “Does dim yn fy mhoeni”, neu dewiswch yr atebion sy&#x27;n berthnasol" in page.content.decode()
    assert not Answer.objects.filter(question=worries).exists()


@pytest.mark.parametrize("chosen", [[NOTHING], ["Privacy", "Wrong answers"]])
def test_the_exclusive_option_alone_or_the_others_together_are_saved(client, chosen):
    worries, _nothing = _with_exclusive_option()
    token = start(client, worries.consultation)
    ids = [worries.options.get(label=label).pk for label in chosen]
    moved = client.post(reverse("answer_question", args=[token, worries.pk]), {"answer": ids})
    assert moved.status_code == 302
    saved = Answer.objects.get(question=worries)
    assert sorted(o.label for o in saved.options.all()) == sorted(chosen)


def test_an_answer_saved_before_with_both_is_kept_and_shown(client):
    """Nothing already saved is lost: an answer that holds both (saved before the rule) is shown
    as it was, on the page and in check answers, until the respondent changes it."""
    worries, nothing = _with_exclusive_option()
    token = start(client, worries.consultation)
    answer_required(client, worries.consultation, token)
    answer = Answer.objects.create(response=Answer.objects.first().response, question=worries)
    answer.options.set([nothing, worries.options.get(label="Privacy")])
    page = client.get(reverse("answer_question", args=[token, worries.pk])).content.decode()
    assert len(re.findall(r"<input [^>]* checked[^>]*>", page)) == 2
    check = client.get(reverse("check_answers", args=[token])).content.decode()
    assert NOTHING in check and "Privacy" in check
    assert answer.options.count() == 2


def test_the_demo_marks_nothing_worries_me_exclusive():
    worries = next(q for q in BENEFITS.questions if q.role == "worries")
    assert worries.exclusive_options == (NOTHING,)
    assert set(worries.exclusive_options) <= set(worries.options)
