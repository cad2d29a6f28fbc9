"""A large question's run in pieces: themes found on a sample, the other answers placed by pieces
spread over the workers, sub-themes per large theme, the results switched in by the last piece.

The thresholds that make a question "large" are lowered for the test (a few hundred answers), so
that every path a million answers take runs here on real rows and the real model."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
from django.db.models import Count, F
from django.test import override_settings

from consult import task_names
from consult.analysis import sampling
from consult.analysis.campaigns import find_campaigns
from consult.analysis.types import AnswerText
from consult.models import (
    AnalysisRun,
    Answer,
    CampaignMember,
    CampaignScan,
    Consultation,
    SubTheme,
    SubThemeAssignment,
    Theme,
    ThemeAssignment,
)
from consult.services import outbox, run_chunks, run_claims, runs
from consult.services.imports import import_responses
from consult.services.run_chunks import FINISH
from tests import corpus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CAMPAIGN = "Stop the automated assistant until it has been tested in public with real people and real questions first."


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Questions of more than 60 answers are clustered on a sample; from 100, sub-themes."""
    monkeypatch.setattr(sampling, "FULL_CLUSTERING", 60)
    monkeypatch.setattr(sampling, "SUB_THEMES_FROM", 100)
    monkeypatch.setattr(sampling, "SUB_THEME_MIN_MEMBERS", 30)


@pytest.fixture
def consultation() -> Consultation:
    texts = [text for _, text in corpus.answers(per_subject=30)]
    texts += [CAMPAIGN] * 12 + ["N/A"] * 3
    rows = [{"id": f"p{n}", "text": text} for n, text in enumerate(texts)]
    import_responses(rows, slug="pieces", text_column="text", id_column="id")
    return Consultation.objects.get(slug="pieces")


def _captured(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The pieces a run sends, kept instead of sent, so the test delivers them itself."""
    sent: list[tuple[Any, ...]] = []
    send = outbox.send_on_commit

    def capture(task: str, *args: Any) -> None:
        if task == task_names.RUN_PIECE:
            sent.append(args)
        elif task != task_names.RUN_ANALYSIS:
            send(task, *args)

    monkeypatch.setattr(outbox, "send_on_commit", capture)
    return sent


def _deliver(sent: list[tuple[Any, ...]], *, twice: bool = False) -> None:
    while sent:
        run_id, execution, number, work = sent.pop(0)
        run_chunks.run_piece(run_id, execution, number, work)
        if twice:
            run_chunks.run_piece(run_id, execution, number, work)


def _deliver_wave(sent: list[tuple[Any, ...]]) -> None:
    """Deliver the pieces sent so far (one wave); the next wave's pieces are left in `sent`."""
    wave = list(sent)
    sent.clear()
    for run_id, execution, number, work in wave:
        run_chunks.run_piece(run_id, execution, number, work)


def _kinds(sent: list[tuple[Any, ...]]) -> Counter[str]:
    return Counter(work["kind"] for *_, work in sent)


def _start(consultation: Consultation, monkeypatch: pytest.MonkeyPatch) -> tuple[AnalysisRun, list[tuple[Any, ...]]]:
    sent = _captured(monkeypatch)
    run = runs.request_analysis(consultation)  # its message is held back: the run is started here
    runs.run_analysis(run.pk)
    return AnalysisRun.objects.get(pk=run.pk), sent


@override_settings(ANALYSIS_CHUNK_SIZE=30)
def test_a_large_question_is_placed_in_pieces_and_switched_in_whole(large, consultation, monkeypatch) -> None:
    run, sent = _start(consultation, monkeypatch)
    # First the answers are scanned for campaigns, a range of 30 ids a piece (135 answers).
    assert _kinds(sent) == {"campaigns": 5}
    assert run.status == AnalysisRun.Status.RUNNING and run.stage == AnalysisRun.Stage.CAMPAIGNS
    assert run.chunks_total == len(sent)
    _deliver_wave(sent)
    assert CampaignScan.objects.filter(run=run).count() == 5
    # Then the question's themes, while the other workers screen the answers for moderation.
    kinds = _kinds(sent)
    assert kinds["themes"] == 1 and kinds["flag"] >= 4 and set(kinds) == {"themes", "flag"}
    assert AnalysisRun.objects.get(pk=run.pk).stage == AnalysisRun.Stage.THEMES
    _deliver_wave(sent)
    run.refresh_from_db()
    assert _kinds(sent)["place"] >= 4 and set(_kinds(sent)) == {"place"}
    assert run.stage == AnalysisRun.Stage.PLACING and run.chunks_total == len(sent)
    # Until the last piece, the run's themes are written but no page shows them: it is not done.
    assert AnalysisRun.objects.latest_succeeded_for(consultation) is None
    assert Theme.objects.filter(run=run).exists()

    _deliver(sent)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.SUCCEEDED and run.progress == 100
    assert not CampaignScan.objects.filter(run=run).exists()  # kept only while the run works
    assert {"campaigns", "themes", "theme_discovery", "placing", "summaries", "saving"} <= set(run.timings)
    assert "_since" not in run.timings

    substantive = Answer.objects.filter(question__consultation=consultation).counted().substantive()
    placed = ThemeAssignment.objects.filter(theme__run=run, rank=0)
    # Every substantive answer was read: placed once in a primary theme, or fits none; none twice.
    assert placed.values("answer").annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    assert set(placed.values_list("answer_id", flat=True)) <= set(substantive.values_list("pk", flat=True))
    fits_none = substantive.count() - placed.count()
    assert fits_none <= 0.25 * substantive.count()
    assert not ThemeAssignment.objects.filter(theme__run=run, answer__non_answer_detected=True).exists()
    # The stored counts are the rows.
    for theme in Theme.objects.filter(run=run):
        assert theme.answer_count == ThemeAssignment.objects.filter(theme=theme).count()
    # The campaign's copies take their original's themes, and count once in campaign_once_count.
    campaign = run.campaigns.get(canonical_answer__text=CAMPAIGN)
    assert campaign.member_count == 12
    original = ThemeAssignment.objects.filter(theme__run=run, answer=campaign.canonical_answer).values_list(
        "theme_id", flat=True
    )
    copies = CampaignMember.objects.filter(campaign=campaign).exclude(answer=campaign.canonical_answer)
    for copy in copies:
        assert list(
            ThemeAssignment.objects.filter(theme__run=run, answer=copy.answer).values_list("theme_id", flat=True)
        ) == list(original)
    total_once = sum(Theme.objects.filter(run=run).values_list("campaign_once_count", flat=True))
    total_every = sum(Theme.objects.filter(run=run).values_list("answer_count", flat=True))
    every_copy = CampaignMember.objects.filter(campaign__run=run).exclude(answer=F("campaign__canonical_answer"))
    copy_rows = ThemeAssignment.objects.filter(theme__run=run, answer__in=every_copy.values("answer"))
    assert total_every - total_once == copy_rows.count() > 0
    # The campaign's copies were flagged by the flag pieces.
    assert all(copy.answer.flags.filter(reason="campaign").exists() for copy in copies)


@override_settings(ANALYSIS_CHUNK_SIZE=30)
def test_the_sample_is_placed_by_the_clustering_and_the_rest_by_the_pieces(large, consultation, monkeypatch) -> None:
    run, sent = _start(consultation, monkeypatch)
    _deliver_wave(sent)
    _deliver_wave(sent)
    question = consultation.questions.get()
    ids = np.array(
        Answer.objects.filter(question=question).counted().substantive().order_by("pk").values_list("pk", flat=True)
    )
    rate = next(work["rate"] for *_, work in sent if work["kind"] == "place")
    assert 0 < rate < 1
    in_sample = set(ids[sampling.in_sample(ids, rate, run.parameters["seed"])].tolist())
    before = set(ThemeAssignment.objects.filter(theme__run=run).values_list("answer_id", flat=True))
    # Before any piece: only answers of the sample have a place (copies wait for their pieces).
    assert before and before <= in_sample
    _deliver(sent)
    after = set(ThemeAssignment.objects.filter(theme__run=run).values_list("answer_id", flat=True))
    assert after - before and not (after - before) & (
        in_sample - set(CampaignMember.objects.values_list("answer_id", flat=True))
    )


@override_settings(ANALYSIS_CHUNK_SIZE=30)
def test_a_piece_delivered_twice_writes_once(large, consultation, monkeypatch) -> None:
    run, sent = _start(consultation, monkeypatch)
    _deliver(sent, twice=True)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.SUCCEEDED
    placed = ThemeAssignment.objects.filter(theme__run=run)
    assert placed.values("theme", "answer").annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    assert run.summaries.count() == 2  # the question's and the consultation's, once each


@override_settings(ANALYSIS_CHUNK_SIZE=30)
def test_a_piece_of_a_stale_execution_writes_nothing(large, consultation, monkeypatch) -> None:
    run, sent = _start(consultation, monkeypatch)
    AnalysisRun.objects.filter(pk=run.pk).update(execution="another")
    before = ThemeAssignment.objects.count()
    _deliver(sent)
    assert ThemeAssignment.objects.count() == before
    assert AnalysisRun.objects.get(pk=run.pk).status == AnalysisRun.Status.RUNNING


@override_settings(ANALYSIS_CHUNK_SIZE=30)
def test_a_failing_piece_fails_the_run_removes_its_rows_and_keeps_the_previous_results(
    large, consultation, monkeypatch
) -> None:
    first, sent = _start(consultation, monkeypatch)
    _deliver(sent)
    assert AnalysisRun.objects.get(pk=first.pk).status == AnalysisRun.Status.SUCCEEDED
    kept = ThemeAssignment.objects.filter(theme__run=first).count()

    second, sent = _start(consultation, monkeypatch)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the worker ran out of memory")

    monkeypatch.setattr(run_chunks.themes, "assign_answers", broken)
    with pytest.raises(RuntimeError):
        _deliver(sent)
    second.refresh_from_db()
    assert second.status == AnalysisRun.Status.FAILED and "out of memory" in second.error
    assert not Theme.objects.filter(run=second).exists()
    assert not second.campaigns.exists() and not CampaignScan.objects.filter(run=second).exists()
    assert AnalysisRun.objects.latest_succeeded_for(consultation).pk == first.pk
    assert ThemeAssignment.objects.filter(theme__run=first).count() == kept


@override_settings(ANALYSIS_CHUNK_SIZE=30)
def test_sub_themes_sit_inside_their_theme_and_count_their_rows(large, consultation, monkeypatch) -> None:
    run, sent = _start(consultation, monkeypatch)
    _deliver(sent)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.SUCCEEDED
    sub_themes = SubTheme.objects.filter(run=run)
    assert sub_themes.exists()
    keys = list(sub_themes.values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    for sub_theme in sub_themes:
        members = set(SubThemeAssignment.objects.filter(sub_theme=sub_theme).values_list("answer_id", flat=True))
        assert sub_theme.answer_count == len(members) > 0
        assert sub_theme.label
        if sub_theme.parent is not None:
            primary = set(
                ThemeAssignment.objects.filter(theme=sub_theme.parent, rank=0).values_list("answer_id", flat=True)
            )
            assert members <= primary
    # An answer is in at most one sub-theme.
    repeated = SubThemeAssignment.objects.filter(sub_theme__run=run).values("answer").annotate(n=Count("pk"))
    assert not repeated.filter(n__gt=1).exists()


def test_a_small_question_is_clustered_whole_and_sends_no_placing_pieces(consultation, monkeypatch) -> None:
    run, sent = _start(consultation, monkeypatch)
    assert set(_kinds(sent)) == {"campaigns"}
    _deliver_wave(sent)
    assert set(_kinds(sent)) == {"themes", "flag"}
    _deliver_wave(sent)
    assert set(_kinds(sent)) == {FINISH}
    _deliver(sent)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.SUCCEEDED
    assert not SubTheme.objects.filter(run=run).exists()
    substantive = Answer.objects.filter(question__consultation=consultation).counted().substantive().count()
    assert ThemeAssignment.objects.filter(theme__run=run, rank=0).count() >= 0.9 * substantive


def test_a_run_whose_pieces_wait_in_the_queue_is_not_taken_for_lost_too_soon(consultation, monkeypatch) -> None:
    from datetime import timedelta

    from django.utils import timezone

    run, _ = _start(consultation, monkeypatch)
    long_ago = timezone.now() - timedelta(seconds=600)
    AnalysisRun.objects.filter(pk=run.pk).update(heartbeat_at=long_ago)
    assert run_claims.claim_run(run.pk) is None  # its pieces are out: 10 minutes is not lost
    AnalysisRun.objects.filter(pk=run.pk).update(heartbeat_at=long_ago - timedelta(hours=1))
    assert run_claims.claim_run(run.pk) is not None


@override_settings(ANALYSIS_CHUNK_SIZE=30)
def test_campaigns_scanned_in_pieces_are_those_found_in_one_process(large, consultation, monkeypatch) -> None:
    question = consultation.questions.get()
    # Copies of a second template in different ranges, some lightly edited: found across pieces.
    letter = (
        "Please publish every test result of the assistant, in full, before a single resident is asked to rely "
        "on it for housing advice."
    )
    rows = [{"id": f"q{n}", "text": letter if n % 3 else letter.replace("every", "each")} for n in range(9)]
    import_responses(rows, slug="pieces", text_column="text", id_column="id")
    run, sent = _start(consultation, monkeypatch)
    assert _kinds(sent)["campaigns"] >= 5
    _deliver(sent)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.SUCCEEDED

    answers = Answer.objects.filter(question=question).counted().substantive().order_by("pk")
    expected = find_campaigns([AnswerText(id=a.pk, text=a.redacted_text) for a in answers], screened=True)
    saved = [
        (campaign.canonical_answer_id, sorted(campaign.members.values_list("answer_id", flat=True)))
        for campaign in run.campaigns.order_by("key")
    ]
    assert saved == [(campaign.canonical_id, campaign.member_ids) for campaign in expected]
    letters = set(
        answers.filter(response__consultation=consultation, text__contains="housing advice").values_list(
            "pk", flat=True
        )
    )
    assert len(letters) == 9 and letters <= {member for _, members in saved for member in members}
    assert 12 in [len(members) for _, members in saved]
