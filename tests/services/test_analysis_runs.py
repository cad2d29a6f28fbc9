"""Analysis runs as rows: claimed once, results written whole, earlier results kept until the
next run succeeds, embeddings computed once, late answers placed on arrival."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from consult.models import AnalysisRun, Answer, AnswerEmbedding, LateAnswer, Response, Theme, ThemeAssignment
from consult.services import arrivals, run_claims, runs
from consult.services.imports import import_responses
from tests import corpus

# Transactional: `analyse` queues its task on commit, as it does for an operator.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def analyse(*args: str, stdout: io.StringIO) -> None:
    call_command("analyse", *args, stdout=stdout)


@pytest.fixture
def consultation():
    rows = [{"id": f"e{n}", "text": text} for n, (_, text) in enumerate(corpus.answers(per_subject=30))]
    import_responses(rows, slug="runs", text_column="text", id_column="id")
    from consult.models import Consultation

    return Consultation.objects.get(slug="runs")


def run_now(consultation, **options) -> AnalysisRun:
    run = runs.request_analysis(consultation, **options)
    return AnalysisRun.objects.get(pk=run.pk)


def test_a_run_records_its_stages_versions_and_timings(consultation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.request_analysis(consultation)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.SUCCEEDED
    assert run.progress == 100
    assert run.answers_analysed == 120
    assert run.versions["embedding_model"]
    assert {"themes", "redaction", "prompt"} <= set(run.versions)
    assert {"embedding", "themes", "saving"} <= set(run.timings)
    assert run.llm_calls == 0  # no model configured: the extractive path
    assert set(Theme.objects.filter(run=run).values_list("label_source", flat=True)) == {"extractive"}


def test_a_run_is_claimed_once():
    from tests.factories import make_consultation

    run = AnalysisRun.objects.create(consultation=make_consultation())
    assert run_claims.claim_run(run.pk) is not None
    assert run_claims.claim_run(run.pk) is None


def test_a_failed_run_leaves_the_previous_results_visible(consultation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = runs.request_analysis(consultation)
    themes_before = Theme.objects.filter(run=first).count()
    assert themes_before
    with (
        override_settings(EMBEDDING_MODEL="/no/such/model"),
        pytest.raises(Exception),  # noqa: B017 (whatever the embedding library raises)
        django_capture_on_commit_callbacks(execute=True),
    ):
        runs.request_analysis(consultation)
    failed = AnalysisRun.objects.latest("created_at")
    assert failed.status == AnalysisRun.Status.FAILED
    assert "/no/such/model" in failed.error
    assert not Theme.objects.filter(run=failed).exists()
    assert AnalysisRun.objects.latest_succeeded_for(consultation).pk == first.pk
    assert Theme.objects.filter(run=first).count() == themes_before


def test_embeddings_are_computed_once_and_again_only_for_changed_text(consultation, django_capture_on_commit_callbacks):
    analyse("runs", "--wait", stdout=io.StringIO())
    first = dict(AnswerEmbedding.objects.values_list("answer_id", "created_at"))
    assert len(first) == 120
    changed = Answer.objects.order_by("pk").first()
    changed.text = "A completely different answer about parking spaces."
    changed.redaction_version = ""
    changed.save()
    analyse("runs", "--wait", stdout=io.StringIO())
    second = dict(AnswerEmbedding.objects.values_list("answer_id", "created_at"))
    assert AnswerEmbedding.objects.count() == 120
    assert [a for a in first if first[a] != second[a]] == []  # rows are updated in place, not duplicated
    embedded = AnswerEmbedding.objects.get(answer=changed)
    from consult.services.embeddings import text_hash as _text_hash

    assert embedded.text_hash == _text_hash(Answer.objects.get(pk=changed.pk).redacted_text)


def test_withdrawn_responses_are_not_analysed(consultation, django_capture_on_commit_callbacks):
    withdrawn = Response.objects.order_by("pk")[:5]
    Response.objects.filter(pk__in=[r.pk for r in withdrawn]).update(status=Response.Status.WITHDRAWN)
    analyse("runs", "--wait", stdout=io.StringIO())
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    assert run.answers_analysed == 115
    assert not ThemeAssignment.objects.filter(answer__response__status=Response.Status.WITHDRAWN).exists()


def test_a_late_answer_is_placed_in_the_current_themes(consultation, django_capture_on_commit_callbacks):
    analyse("runs", "--wait", stdout=io.StringIO())
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    question = consultation.questions.get()
    late = Response.objects.create(consultation=consultation, start_key="late", status=Response.Status.SUBMITTED)
    answer = Answer.objects.create(
        response=late, question=question, text="Please keep a real person on the phone line."
    )
    other = Response.objects.create(consultation=consultation, start_key="odd", status=Response.Status.SUBMITTED)
    odd = Answer.objects.create(response=other, question=question, text="Quantum chromodynamics of gluon plasma.")
    arrivals.process_response(late.pk)
    arrivals.process_response(other.pk)
    placed = ThemeAssignment.objects.filter(answer=answer, is_late=True).order_by("rank").first()
    assert placed is not None
    phone_answers = Answer.objects.filter(question=question, text__icontains="phone").values_list("pk", flat=True)
    same_theme = ThemeAssignment.objects.filter(theme=placed.theme, rank=0, answer__in=phone_answers).count()
    assert same_theme >= 10  # it joined the theme where the other phone answers are
    assert LateAnswer.objects.get(run=run, answer=answer).fits_none is False
    assert LateAnswer.objects.get(run=run, answer=odd).fits_none is True
    assert Answer.objects.get(pk=answer.pk).redacted_text


def test_an_answer_saved_before_a_run_and_sent_after_it_is_placed_on_arrival(consultation):
    from django.utils import timezone

    question = consultation.questions.get()
    early = Response.objects.create(consultation=consultation, start_key="early", status=Response.Status.DRAFT)
    answer = Answer.objects.create(response=early, question=question, text="Please keep a real person on the phone.")
    analyse("runs", "--wait", stdout=io.StringIO())
    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    assert not ThemeAssignment.objects.filter(answer=answer).exists()  # a draft is not analysed
    early.status, early.submitted_at = Response.Status.SUBMITTED, timezone.now()
    early.save(update_fields=["status", "submitted_at"])
    arrivals.process_response(early.pk)
    assert LateAnswer.objects.filter(run=run, answer=answer).exists()
    assert ThemeAssignment.objects.filter(answer=answer, theme__run=run, is_late=True).exists()


def test_the_export_says_how_many_answers_arrived_since_and_what_share_fits_no_theme(consultation):
    analyse("runs", "--wait", stdout=io.StringIO())
    question = consultation.questions.get()
    for n, text in enumerate(["Keep a real person on the phone line please.", "Quantum gluon plasma physics."]):
        response = Response.objects.create(consultation=consultation, start_key=f"new{n}", status="submitted")
        Answer.objects.create(response=response, question=question, text=text)
        arrivals.process_response(response.pk)
    from consult.queries.workspace.analysis_export import analysis_export

    export = analysis_export(consultation)
    assert export["arrived_since_run"] == 2
    assert export["arrived_since_run_fitting_no_theme"] == 0.5


def test_themes_of_a_why_question_show_how_their_members_answered_the_agreement_scale():
    from consult.models import Consultation
    from tests.factories import make_consultation

    consultation = make_consultation()
    agree, why = consultation.questions.get(position=1), consultation.questions.get(position=2)
    rows = [{"text": text} for _, text in corpus.answers(per_subject=30)]
    import_responses(rows, slug=consultation.slug, text_column="text", question_text=why.text)
    for number, answer in enumerate(Answer.objects.filter(question=why).order_by("pk")):
        Answer.objects.create(response=answer.response, question=agree, agreement=1 + number % 5)
    analyse(consultation.slug, "--wait", stdout=io.StringIO())
    run = AnalysisRun.objects.latest_succeeded_for(Consultation.objects.get(pk=consultation.pk))
    themes = Theme.objects.filter(run=run, question=why)
    assert themes
    for theme in themes:
        assert set(theme.agreement_counts) <= {"1", "2", "3", "4", "5"}
        assert sum(theme.agreement_counts.values()) == theme.answer_count


def test_a_run_whose_message_was_lost_is_sent_again_and_runs_once(consultation):
    from datetime import timedelta

    from django.utils import timezone

    from consult import tasks

    lost = AnalysisRun.objects.create(consultation=consultation, parameters={"max_themes": 40, "seed": 42})
    AnalysisRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    fresh = AnalysisRun.objects.create(consultation=consultation, parameters={"max_themes": 40, "seed": 42})
    assert tasks.requeue_lost_runs.delay().get() == [lost.pk]
    lost.refresh_from_db()
    assert lost.status == AnalysisRun.Status.SUCCEEDED
    assert lost.attempts == 1
    assert AnalysisRun.objects.get(pk=fresh.pk).status == AnalysisRun.Status.QUEUED
    assert runs.run_analysis(lost.pk) is None  # a late duplicate message finds nothing to claim
