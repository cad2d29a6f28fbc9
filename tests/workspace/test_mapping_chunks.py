"""The mapping of every answer to the themes in force runs as chunks over the workers (issue 15):
ranges of answer ids mapped one task each, staged out of sight, switched in when the last is done.

With tasks in process the chunks run one after another inside `map_answers`; the tests that need
to run chunks in their own order send the work to a "broker" (HAS_BROKER) and run the tasks the
outbox recorded, as a worker would, through the task entry points. Real PostgreSQL rows and the
real packaged embedding model throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import override_settings

from consult import task_names, tasks
from consult.models import (
    Answer,
    AuditEvent,
    MappingCheck,
    MappingChunk,
    MappingProposal,
    QueuedTask,
    ReviewTheme,
    ThemeMapping,
    ThemeSet,
)
from consult.services import mapping
from tests import corpus
from tests.factories import make_consultation, make_official, make_response

pytestmark = pytest.mark.django_db

THEMES = {"phone": "Talking to a person on the phone", "privacy": "Privacy of personal data"}
EXAMPLES_PER_THEME = 2


@dataclass
class World:
    theme_set: ThemeSet
    answers: list[Answer]


@pytest.fixture
def world() -> World:
    """Answers on three subjects (one with no theme), a signed-off set of two themes and Other,
    with two of each theme's answers placed there by an official as its evidence, and a
    non-answer that is never mapped."""
    consultation = make_consultation(phase="closed")
    why = consultation.questions.get(position=2)
    texts = [(s, t) for s, t in corpus.answers(per_subject=6) if s in ("phone", "privacy", "welsh")]
    answers = [make_response(consultation, {why: text}).answers.get() for _, text in texts]
    make_response(consultation, {why: "Nothing"})
    theme_set = ThemeSet.objects.create(
        question=why, status=ThemeSet.Status.SIGNED_OFF, mapping_status=ThemeSet.MappingStatus.QUEUED
    )
    for position, label in enumerate(THEMES.values(), start=1):
        ReviewTheme.objects.create(theme_set=theme_set, position=position, label=label)
    ReviewTheme.objects.create(theme_set=theme_set, position=3, label="Other", is_other=True)
    for subject, label in THEMES.items():
        theme = theme_set.themes.get(label=label)
        examples = [answer for (s, _), answer in zip(texts, answers, strict=True) if s == subject]
        for answer in examples[:EXAMPLES_PER_THEME]:
            ThemeMapping.objects.create(theme=theme, answer=answer, source=ThemeMapping.Source.OFFICIAL)
    return World(theme_set, answers)


def _rows(theme_set: ThemeSet) -> set[tuple[int, int, str, float | None, bool]]:
    return set(
        ThemeMapping.objects.filter(theme__theme_set=theme_set).values_list(
            "theme_id", "answer_id", "source", "similarity", "is_active"
        )
    )


def _checks(theme_set: ThemeSet) -> set[tuple[int, str, tuple[int, ...], float]]:
    return {
        (answer_id, reason, tuple(proposed), confidence)
        for answer_id, reason, proposed, confidence in MappingCheck.objects.filter(theme_set=theme_set).values_list(
            "answer_id", "reason", "proposed_theme_ids", "confidence"
        )
    }


def _queued(task: str) -> list[list[int]]:
    return [row.args for row in QueuedTask.objects.filter(task=task).order_by("pk")]


def _start_on_a_broker(theme_set: ThemeSet, chunk_size: int = 4) -> list[int]:
    """Start the mapping as a worker would with a broker: the chunks are recorded, not run.
    Returns their ids, in order."""
    with override_settings(HAS_BROKER=True, MAPPING_CHUNK_SIZE=chunk_size):
        mapping.map_answers(theme_set.pk)
    return [args[0] for args in _queued(task_names.MAP_CHUNK)]


def test_chunks_split_by_id_range_map_every_answer_as_one_chunk_does(world: World) -> None:
    theme_set = world.theme_set
    with override_settings(MAPPING_CHUNK_SIZE=4):
        mapping.map_answers(theme_set.pk)
    theme_set.refresh_from_db()
    assert theme_set.mapping_status == ThemeSet.MappingStatus.DONE
    assert theme_set.mapping_chunks_total == theme_set.mapping_chunks_done == 5  # 18 answers, 4 a chunk
    in_chunks, checks_in_chunks, classifier = _rows(theme_set), _checks(theme_set), theme_set.classifier
    said = AuditEvent.objects.get(action="theme_set.mapped").after

    # The same set mapped afresh in one chunk.
    ThemeMapping.objects.filter(source=ThemeMapping.Source.AI).delete()
    MappingCheck.objects.all().delete()
    AuditEvent.objects.all().delete()
    ThemeSet.objects.filter(pk=theme_set.pk).update(mapping_status=ThemeSet.MappingStatus.QUEUED, classifier={})
    with override_settings(MAPPING_CHUNK_SIZE=20_000):
        mapping.map_answers(theme_set.pk)
    theme_set.refresh_from_db()
    assert theme_set.mapping_chunks_total == 1

    assert _rows(theme_set) == in_chunks
    assert _checks(theme_set) == checks_in_chunks
    assert theme_set.classifier == classifier
    assert AuditEvent.objects.get(action="theme_set.mapped").after == said
    # Every substantive answer is placed, the non-answer never; the examples stay the official's.
    placed = {answer_id for _, answer_id, _, _, active in in_chunks if active}
    assert placed == {answer.pk for answer in world.answers}
    assert said["answers"] == len(world.answers) and said["evidence"]["positives"] == 4
    assert not MappingProposal.objects.exists() and not MappingChunk.objects.exists()


def test_nothing_is_visible_until_the_last_chunk_and_a_redelivered_chunk_counts_once(world: World) -> None:
    theme_set = world.theme_set
    chunk_ids = _start_on_a_broker(theme_set)
    assert len(chunk_ids) == 5
    theme_set.refresh_from_db()
    assert (theme_set.mapping_status, theme_set.mapping_chunks_total) == (ThemeSet.MappingStatus.RUNNING, 5)
    assert theme_set.pending_mapping["classifier"] and not theme_set.classifier

    with override_settings(HAS_BROKER=True):
        tasks.map_chunk(chunk_ids[0])
        staged = MappingProposal.objects.count()
        tasks.map_chunk(chunk_ids[0])  # delivered again
        theme_set.refresh_from_db()
        assert theme_set.mapping_chunks_done == 1
        assert MappingProposal.objects.count() == staged > 0
        for chunk_id in chunk_ids[1:]:
            tasks.map_chunk(chunk_id)
        tasks.map_chunk(chunk_ids[-1])  # the last, again: it does not ask to finish twice

    theme_set.refresh_from_db()
    assert theme_set.mapping_chunks_done == 5
    assert _queued(task_names.FINISH_MAPPING) == [[theme_set.pk, theme_set.version]]
    # Every answer staged, none switched in yet: only the officials' rows are there.
    assert MappingProposal.objects.filter(rank=0).count() == len(world.answers)
    assert not ThemeMapping.objects.filter(source=ThemeMapping.Source.AI).exists()
    assert theme_set.mapping_status == ThemeSet.MappingStatus.RUNNING

    with override_settings(HAS_BROKER=True):
        tasks.finish_mapping(theme_set.pk, theme_set.version)
    theme_set.refresh_from_db()
    assert theme_set.mapping_status == ThemeSet.MappingStatus.DONE
    assert theme_set.classifier and not theme_set.pending_mapping
    active = ThemeMapping.objects.filter(theme__theme_set=theme_set, is_active=True)
    assert set(active.values_list("answer_id", flat=True)) == {answer.pk for answer in world.answers}
    assert not MappingProposal.objects.exists() and not MappingChunk.objects.exists()
    assert AuditEvent.objects.filter(action="theme_set.mapped").count() == 1


def test_a_chunk_of_a_set_changed_meanwhile_writes_nothing_and_the_mapping_is_not_switched_in(
    world: World,
) -> None:
    theme_set = world.theme_set
    chunk_ids = _start_on_a_broker(theme_set)
    with override_settings(HAS_BROKER=True):
        tasks.map_chunk(chunk_ids[0])
        ThemeSet.objects.filter(pk=theme_set.pk).update(version=theme_set.version + 1)
        for chunk_id in chunk_ids[1:]:
            tasks.map_chunk(chunk_id)
        tasks.finish_mapping(theme_set.pk, theme_set.version)

    theme_set.refresh_from_db()
    assert theme_set.mapping_chunks_done == 1
    assert set(MappingProposal.objects.values_list("chunk_id", flat=True)) == {chunk_ids[0]}
    assert not ThemeMapping.objects.filter(source=ThemeMapping.Source.AI).exists()
    assert not AuditEvent.objects.filter(action="theme_set.mapped").exists()


def test_chunks_of_a_mapping_sent_again_write_nothing_and_the_new_one_counts_from_zero(world: World) -> None:
    theme_set = world.theme_set
    first = _start_on_a_broker(theme_set)
    with override_settings(HAS_BROKER=True):
        tasks.map_chunk(first[0])
        QueuedTask.objects.all().delete()
        # The mapping's message delivered again (or the mapping asked for again): a fresh start.
        second = _start_on_a_broker(theme_set)
        assert not MappingProposal.objects.exists()
        assert not set(first) & set(second)
        tasks.map_chunk(first[1])
        assert not MappingProposal.objects.exists()
        for chunk_id in second:
            tasks.map_chunk(chunk_id)
        tasks.finish_mapping(theme_set.pk, theme_set.version)
    theme_set.refresh_from_db()
    assert (theme_set.mapping_status, theme_set.mapping_chunks_done) == (ThemeSet.MappingStatus.DONE, 5)


def test_a_failed_chunk_leaves_the_previous_mapping_and_clears_the_staging(world: World) -> None:
    theme_set = world.theme_set
    with override_settings(MAPPING_CHUNK_SIZE=4):
        mapping.map_answers(theme_set.pk)
    theme_set.refresh_from_db()
    before, classifier = _rows(theme_set), theme_set.classifier
    assert any(source == "ai" and active for _, _, source, _, active in before)

    ThemeSet.objects.filter(pk=theme_set.pk).update(mapping_status=ThemeSet.MappingStatus.QUEUED)
    chunk_ids = _start_on_a_broker(theme_set)
    with override_settings(HAS_BROKER=True):
        tasks.map_chunk(chunk_ids[0])
        assert MappingProposal.objects.exists()
        # The stored classifier cannot be read: the next chunk fails.
        pending = ThemeSet.objects.get(pk=theme_set.pk).pending_mapping
        ThemeSet.objects.filter(pk=theme_set.pk).update(pending_mapping={**pending, "classifier": {"version": 1}})
        tasks.map_chunk(chunk_ids[1])
        tasks.map_chunk(chunk_ids[2])  # after the failure: nothing

    theme_set.refresh_from_db()
    assert theme_set.mapping_status == ThemeSet.MappingStatus.FAILED
    assert theme_set.mapping_error.startswith("KeyError")
    assert _rows(theme_set) == before and theme_set.classifier == classifier
    assert not MappingProposal.objects.exists() and not MappingChunk.objects.exists()
    assert not _queued(task_names.FINISH_MAPPING)


def test_a_remapping_keeps_officials_decisions_and_deactivates_what_it_no_longer_proposes(world: World) -> None:
    theme_set = world.theme_set
    with override_settings(MAPPING_CHUNK_SIZE=4):
        mapping.map_answers(theme_set.pk)
    phone = theme_set.themes.get(label=THEMES["phone"])
    other = theme_set.themes.get(is_other=True)
    ai_phone = ThemeMapping.objects.filter(theme=phone, source=ThemeMapping.Source.AI, is_active=True)
    taken_out, dropped = list(ai_phone.order_by("answer_id")[:2])
    # An official takes one answer out of the theme; the other's row is one a previous mapping
    # proposed that this one will not (its answer is hidden by a moderator since).
    official = make_official(theme_set.question.consultation.department)
    ThemeMapping.objects.filter(pk=taken_out.pk).update(is_active=False, removed_by=official)
    Answer.objects.filter(pk=dropped.answer_id).update(visibility=Answer.Visibility.HIDDEN)

    ThemeSet.objects.filter(pk=theme_set.pk).update(mapping_status=ThemeSet.MappingStatus.QUEUED)
    with override_settings(MAPPING_CHUNK_SIZE=4):
        mapping.map_answers(theme_set.pk)

    taken_out.refresh_from_db()
    assert not taken_out.is_active and taken_out.removed_by_id is not None  # the official's word stands
    # Its only proposal refused, the answer goes to Other.
    assert ThemeMapping.objects.filter(answer_id=taken_out.answer_id, theme=other, is_active=True).exists()
    dropped.refresh_from_db()
    assert not dropped.is_active and dropped.removed_at is not None  # deactivated, not deleted
    officials = ThemeMapping.objects.filter(source=ThemeMapping.Source.OFFICIAL, is_active=True)
    assert officials.count() == len(THEMES) * EXAMPLES_PER_THEME
    for row in officials:
        assert not ThemeMapping.objects.filter(
            answer_id=row.answer_id, theme=row.theme, source=ThemeMapping.Source.AI
        ).exists()
