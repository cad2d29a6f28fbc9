"""Embeddings on a queue of their own (issue 15): answers are embedded once per model and text, in
tasks on the `embedding` queue sent after an import, on arrival and before a run; a run waits for
the workers and embeds the rest itself when none takes the queue; reads never name more than
`ID_CHUNK` answers in one query.

The broker is the edge: where a test needs to see what is sent, or to leave it undone as a broker
with no worker on the queue would, it replaces the task's `apply_async`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from django.test import override_settings

from consult import tasks
from consult.models import Answer, AnswerEmbedding, QueuedTask, Response
from consult.services import arrivals, embeddings, runs
from consult.services.imports import import_responses
from tests import corpus

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "embedq"


def imported(count: int, slug: str = SLUG) -> list[Answer]:
    """`count` answers imported into a closed consultation (not embedded: ANALYSE_ON_ARRIVAL is off
    in the tests), in id order."""
    texts = [text for _, text in corpus.answers(per_subject=30)][:count]
    assert len(texts) == count
    import_responses([{"text": text} for text in texts], slug=slug, text_column="text")
    return list(Answer.objects.filter(response__consultation__slug=slug).order_by("pk"))


def stored_ids() -> set[int]:
    return set(AnswerEmbedding.objects.values_list("answer_id", flat=True))


@pytest.fixture
def embedder():
    return embeddings.configured_embedder()


@pytest.fixture
def sent(monkeypatch) -> list[list[int]]:
    """The `embed_answers` tasks handed to the broker (answer ids of each), left undone: a broker
    with no worker on the `embedding` queue."""
    captured: list[list[int]] = []

    def send(args=None, kwargs=None, **options):
        captured.append(list(args[0]))

    monkeypatch.setattr(tasks.embed_answers, "apply_async", send)
    return captured


# --- embed_answers ----------------------------------------------------------------------------


def test_embedding_stores_the_models_vectors_and_a_second_call_embeds_nothing(embedder):
    answers = imported(6)
    ids = [answer.pk for answer in answers]

    assert embeddings.embed_answers(ids) == 6
    assert embeddings.embed_answers(ids) == 0

    rows = AnswerEmbedding.objects.filter(answer_id__in=ids)
    assert rows.count() == 6
    assert {row.model_name for row in rows} == {embedder.name}
    expected = embedder.encode([answer.redacted_text for answer in answers])
    np.testing.assert_allclose(embeddings.stored_vectors(ids, embedder.name, embedder.dimensions), expected, atol=1e-5)
    assert {row.answer_id: row.text_hash for row in rows} == {
        answer.pk: embeddings.text_hash(answer.redacted_text) for answer in answers
    }


def test_an_edited_answer_is_embedded_again_and_only_it(embedder):
    answers = imported(4)
    ids = [answer.pk for answer in answers]
    embeddings.embed_answers(ids)
    edited = answers[1]
    edited.text = "Parking by the station should be free on Sundays."
    edited.redaction_version = ""
    edited.save()
    runs.redact_answers([edited])

    assert embeddings.embed_answers(ids) == 1

    vector = embeddings.stored_vectors([edited.pk], embedder.name, embedder.dimensions)[0]
    np.testing.assert_allclose(vector, embedder.encode([edited.redacted_text])[0], atol=1e-5)
    assert AnswerEmbedding.objects.get(answer=edited).text_hash == embeddings.text_hash(edited.redacted_text)


def test_answers_not_redacted_by_the_current_rules_empty_or_gone_are_skipped():
    answers = imported(5)
    Answer.objects.filter(pk=answers[0].pk).update(redaction_version="")  # the rules changed since
    Answer.objects.filter(pk=answers[1].pk).update(redacted_text="")
    gone = answers[2].pk
    Response.objects.filter(answers__pk=gone).delete()

    assert embeddings.embed_answers([answer.pk for answer in answers]) == 2

    assert stored_ids() == {answers[3].pk, answers[4].pk}


def test_the_task_embeds_on_the_embedding_queue_and_returns_how_many():
    answers = imported(3)

    assert tasks.embed_answers.apply(args=[[answer.pk for answer in answers]]).get() == 3
    assert stored_ids() == {answer.pk for answer in answers}


# --- Reading in bounded chunks ----------------------------------------------------------------


def test_reads_of_more_answers_than_one_query_names_keep_their_order(monkeypatch, embedder):
    monkeypatch.setattr(embeddings, "ID_CHUNK", 3)
    answers = imported(8)
    embeddings.embed_answers([answer.pk for answer in answers[:5]])  # some stored, some not
    order = [answers[i] for i in (7, 2, 5, 0, 6, 1, 4, 3)]

    vectors = embeddings.embeddings_for(order, embedder)

    np.testing.assert_allclose(vectors, embedder.encode([a.redacted_text for a in order]), atol=1e-5)
    assert stored_ids() == {answer.pk for answer in answers}
    read = embeddings.stored_vectors([a.pk for a in order], embedder.name, embedder.dimensions)
    assert read.dtype == np.float32
    np.testing.assert_array_equal(read, vectors)


def test_reading_vectors_not_stored_says_how_many_are_missing(monkeypatch, embedder):
    monkeypatch.setattr(embeddings, "ID_CHUNK", 3)
    answers = imported(8)
    embeddings.embed_answers([answer.pk for answer in answers[2:]])

    with pytest.raises(embeddings.MissingEmbeddings, match="2 of 8 answers"):
        embeddings.stored_vectors([answer.pk for answer in answers], embedder.name, embedder.dimensions)


def test_an_answer_edited_since_its_vector_was_stored_is_embedded_again_when_read(embedder):
    answers = imported(3)
    embeddings.embed_answers([answer.pk for answer in answers])
    answers[0].redacted_text = "Something else entirely about buses."

    vectors = embeddings.embeddings_for(answers, embedder)

    np.testing.assert_allclose(vectors[0], embedder.encode([answers[0].redacted_text])[0], atol=1e-5)
    assert AnswerEmbedding.objects.get(answer=answers[0]).text_hash == embeddings.text_hash(answers[0].redacted_text)


# --- Queueing ---------------------------------------------------------------------------------


@override_settings(EMBEDDING_TASK_SIZE=2)
def test_queueing_sends_the_answers_lacking_a_current_vector_in_tasks_of_the_task_size(monkeypatch, sent):
    monkeypatch.setattr(embeddings, "ID_CHUNK", 3)  # several keyset pages
    answers = imported(9)
    embeddings.embed_answers([answers[1].pk, answers[4].pk])
    Answer.objects.filter(pk=answers[4].pk).update(redacted_text="Changed since it was embedded.")
    Response.objects.filter(answers__pk=answers[6].pk).update(status=Response.Status.WITHDRAWN)
    Answer.objects.filter(pk=answers[7].pk).update(redaction_version="")  # redacted again first
    other = imported(2, slug="another")

    queued = embeddings.queue_embeddings(answers[0].response.consultation_id)

    expected = [answers[i].pk for i in (0, 2, 3, 4, 5, 8)]
    assert queued == 6
    assert sent == [expected[0:2], expected[2:4], expected[4:6]]
    assert not {answer.pk for answer in other} & {i for task in sent for i in task}


@override_settings(ANALYSE_ON_ARRIVAL=True, EMBEDDING_TASK_SIZE=4)
def test_an_import_sends_its_answers_to_be_embedded_once_it_commits(sent):
    answers = imported(6)

    assert sent == [[a.pk for a in answers[:4]], [a.pk for a in answers[4:]]]


@override_settings(ANALYSE_ON_ARRIVAL=True)
def test_with_tasks_in_process_an_import_is_embedded_as_it_commits():
    answers = imported(4)

    assert stored_ids() == {answer.pk for answer in answers}


def test_without_analysis_on_arrival_an_import_leaves_embedding_to_the_run(sent):
    imported(4)

    assert sent == []
    assert stored_ids() == set()


# --- A run's embedding stage ------------------------------------------------------------------


def progress_log() -> tuple[list[tuple[int, int]], Callable[[int, int], None]]:
    calls: list[tuple[int, int]] = []
    return calls, lambda done, total: calls.append((done, total))


@override_settings(HAS_BROKER=True, EMBEDDING_WAIT_SECONDS=0, EMBEDDING_TASK_SIZE=2)
def test_with_no_worker_on_the_queue_the_run_embeds_the_rest_itself_and_shows_progress(sent, embedder):
    answers = imported(5)
    embeddings.embed_answers([answers[0].pk])
    calls, progress = progress_log()

    embeddings.ensure_embedded(answers[0].response.consultation_id, embedder, progress)

    assert sent == [[answers[1].pk, answers[2].pk], [answers[3].pk, answers[4].pk]]
    assert stored_ids() == {answer.pk for answer in answers}
    assert calls[0] == (0, 4)
    assert calls[-1] == (4, 4)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert (2, 4) in calls  # reported between the batches it embedded itself


@override_settings(HAS_BROKER=True, EMBEDDING_WAIT_SECONDS=0, EMBEDDING_TASK_SIZE=2)
def test_the_run_counts_what_the_workers_store_and_embeds_only_what_they_left(monkeypatch, embedder):
    answers = imported(5)
    delivered: list[list[int]] = []

    def first_task_only(args=None, kwargs=None, **options):
        # A worker takes the first task and then stops.
        if not delivered:
            embeddings.embed_answers(args[0])
        delivered.append(args[0])

    monkeypatch.setattr(tasks.embed_answers, "apply_async", first_task_only)
    calls, progress = progress_log()

    embeddings.ensure_embedded(answers[0].response.consultation_id, embedder, progress)

    assert len(delivered) == 3
    assert calls[0] == (2, 5)  # the worker's two, seen at the first look
    assert calls[-1] == (5, 5)
    assert stored_ids() == {answer.pk for answer in answers}


@override_settings(HAS_BROKER=True, EMBEDDING_WAIT_SECONDS=0)
def test_a_progress_callback_that_raises_stops_the_wait(sent, embedder):
    answers = imported(3)

    def stop(done: int, total: int) -> None:
        raise RuntimeError("the run was taken over")

    with pytest.raises(RuntimeError, match="taken over"):
        embeddings.ensure_embedded(answers[0].response.consultation_id, embedder, stop)
    assert stored_ids() == set()


def test_with_tasks_in_process_the_queued_work_is_done_before_the_wait(embedder):
    answers = imported(4)
    calls, progress = progress_log()

    embeddings.ensure_embedded(answers[0].response.consultation_id, embedder, progress)

    assert stored_ids() == {answer.pk for answer in answers}
    assert calls[-1] == (4, 4)


def test_nothing_missing_means_nothing_sent(sent, embedder):
    answers = imported(3)
    embeddings.embed_answers([answer.pk for answer in answers])
    calls, progress = progress_log()

    with override_settings(HAS_BROKER=True):
        embeddings.ensure_embedded(answers[0].response.consultation_id, embedder, progress)

    assert sent == []
    assert calls == [(0, 0)]


# --- Arrivals ---------------------------------------------------------------------------------


def test_a_new_response_is_screened_at_once_and_its_embedding_queued_in_the_outbox():
    answers = imported(2)
    response = answers[0].response
    Answer.objects.filter(pk=answers[0].pk).update(redaction_version="", text="Call me on 07700 900123 please.")

    arrivals.process_response(response.pk)

    answer = Answer.objects.get(pk=answers[0].pk)
    assert "07700" not in answer.redacted_text
    queued = QueuedTask.objects.get(task=tasks.embed_answers.name)
    assert queued.args == [[answer.pk], True]
    assert queued.done_at is not None  # in-process: embedded (and placed) as it was sent
    assert stored_ids() == {answer.pk}


def test_a_new_response_waits_in_the_outbox_while_no_worker_embeds_it(sent):
    answers = imported(2)

    arrivals.process_response(answers[1].response_id)

    assert sent == [[answers[1].pk]]
    assert QueuedTask.objects.get(task=tasks.embed_answers.name).done_at is None
    assert stored_ids() == set()
