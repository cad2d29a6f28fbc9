"""An analysis run's work, in pieces spread over the workers.

`runs.run_analysis` brings redaction and embeddings up to date and sends the first wave of pieces
to the `analysis` queue; the piece that finishes a wave sends the next:

1. campaigns: each scans a range of a question's answer ids for copies
   (`consult.services.run_discovery.scan_campaigns`);
2. themes: one per question, which merges its scans into campaigns, finds and labels its themes
   and saves them under the run, which stays RUNNING, so no page shows them
   (`run_discovery.discover`); alongside, the moderation flags of a range of answers each (`flag`);
3. placing: each places a range of a sampled question's answers in its themes (`place`);
4. sub-themes, one piece per large theme (`consult.services.sub_themes`);
5. `finish` (`consult.services.run_finish`), which counts the themes, writes the summaries, places
   the answers that arrived meanwhile and marks the run succeeded, all in one transaction: the
   results switch in at once.

Counting a wave's pieces is the database's job, not a result backend's: each piece, in the
transaction that writes its rows, records its number on the run (`chunks_finished`) under the run's
row lock, so a piece delivered twice writes once, and exactly one piece sees the wave complete.
Pieces found during a wave for the next (each question's placing, once its themes are found) wait
on the run (`next_pieces`). Every piece carries the run's execution token: once another execution
claims the run (its worker went silent), the old pieces write nothing. A piece that fails marks the
run failed and removes what the run had written; the previous run's results stay as they were.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from consult import task_names
from consult.analysis import embedding as embedding_lib
from consult.analysis import llm, sampling, themes
from consult.models import (
    AnalysisRun,
    Answer,
    Campaign,
    CampaignMember,
    CampaignScan,
    LateAnswer,
    QuestionSummary,
    SubTheme,
    Theme,
    ThemeAssignment,
)
from consult.services import embeddings, moderation, outbox, run_discovery, run_finish, sub_themes
from consult.services.bulk_rows import write_rows
from consult.services.run_claims import ClaimLost, Heartbeat, owned
from consult.services.run_inputs import (
    ID_CHUNK,
    analysable_answers,
)

logger = logging.getLogger(__name__)

FINISH = "finish"


@dataclass(frozen=True)
class Piece:
    """One piece of a run's work: `kind` is "campaigns" or "place" (a range of a question's answer
    ids), "themes" (a question, its answers up to `last`), "flag" (a range of the consultation's
    answer ids), "sub_themes" (one theme, or with no `parent_id` the answers of `question_id` that
    fit no theme) or "finish"."""

    kind: str
    question_id: int | None = None
    first: int = 0
    last: int = 0
    rate: float = 1.0
    parent_id: int | None = None
    # sub_themes: the question's substantive answers, counted once when the wave is sent.
    count: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Timings ------------------------------------------------------------------------------------


class StageClock:
    """Seconds per stage of a run, kept on the run so that pieces on other workers add theirs."""

    def __init__(self, run: AnalysisRun) -> None:
        self.run = run
        self.timings: dict[str, float] = {}
        self.started = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.add(stage, now - self.started)
        self.started = now

    def add(self, stage: str, seconds: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds
        self.started = time.perf_counter()

    def save(self) -> None:
        rounded: dict[str, float] = {stage: round(seconds, 3) for stage, seconds in self.timings.items()}
        owned(self.run).update(timings={**rounded, "_since": time.time()})


def _lap(timings: dict[str, Any], stage: str) -> dict[str, Any]:
    """`timings` with the wall-clock time since the last stage ended added to `stage`."""
    now = time.time()
    since = float(timings.get("_since", now))
    return {**timings, stage: round(float(timings.get(stage, 0.0)) + now - since, 3), "_since": now}


# --- Discovery's results ------------------------------------------------------------------------


def discard_results(run: AnalysisRun) -> None:
    """Remove whatever an earlier execution of this run wrote (its worker stopped midway)."""
    with transaction.atomic():
        CampaignScan.objects.filter(run=run).delete()
        SubTheme.objects.filter(run=run).delete()
        Theme.objects.filter(run=run).delete()
        Campaign.objects.filter(run=run).delete()
        QuestionSummary.objects.filter(run=run).delete()
        LateAnswer.objects.filter(run=run).delete()


def campaign_pieces(question_id: int, answer_ids: list[int]) -> list[Piece]:
    ranges = _ranges(answer_ids, settings.ANALYSIS_CHUNK_SIZE)
    return [Piece("campaigns", question_id, first, last) for first, last in ranges]


def flag_pieces(analysable_ids: list[int]) -> list[Piece]:
    return [Piece("flag", None, first, last) for first, last in _ranges(analysable_ids, settings.ANALYSIS_CHUNK_SIZE)]


def _ranges(ids: list[int], size: int) -> list[tuple[int, int]]:
    return [(ids[start], ids[min(start + size, len(ids)) - 1]) for start in range(0, len(ids), size)]


def add_usage(run: AnalysisRun, usage: llm.Usage, *, answers_analysed: int | None = None) -> None:
    """Add a piece's language-model use to the run's."""
    values: dict[str, Any] = {
        "llm_calls": F("llm_calls") + usage.calls,
        "prompt_tokens": F("prompt_tokens") + usage.prompt_tokens,
        "completion_tokens": F("completion_tokens") + usage.completion_tokens,
        "estimated_cost": F("estimated_cost") + Decimal(str(round(usage.estimated_cost, 4))),
        "rejected_labels": F("rejected_labels") + usage.rejected_labels,
    }
    if answers_analysed is not None:
        values["answers_analysed"] = answers_analysed
    owned(run).update(**values)


# --- Sending and counting pieces -----------------------------------------------------------------


def send_wave(run: AnalysisRun, pieces: list[Piece], *, then: list[Piece] | None = None) -> None:
    """Send the run's next wave of pieces (with none, its finishing step); `then`: the pieces of
    the wave after it, as far as they are known now (its pieces may add more)."""
    if not pieces:
        pieces = [Piece(FINISH)]
    stage = _stage_of(pieces)
    with transaction.atomic():
        locked = owned(run).select_for_update().first()
        if locked is None:
            return
        timings = dict(locked.timings)
        if locked.stage in _PROGRESS and locked.stage != AnalysisRun.Stage.SUMMARIES:
            timings = _lap(timings, locked.stage)
        else:
            timings["_since"] = time.time()
        owned(run).update(
            stage=stage,
            progress=_PROGRESS[stage][0],
            chunks_total=len(pieces),
            chunks_done=0,
            chunks_finished=[],
            next_pieces=[piece.as_dict() for piece in then or []],
            timings=timings,
            heartbeat_at=timezone.now(),
        )
        for number, piece in enumerate(pieces):
            outbox.send_on_commit(task_names.RUN_PIECE, run.pk, run.execution, number, piece.as_dict())


_PROGRESS = {
    AnalysisRun.Stage.CAMPAIGNS: (15, 30),
    AnalysisRun.Stage.THEMES: (30, 55),
    AnalysisRun.Stage.PLACING: (55, 70),
    AnalysisRun.Stage.SUB_THEMES: (70, 85),
    AnalysisRun.Stage.SUMMARIES: (88, 95),
}


# The stage at which each kind of piece is sent.
_WAVES = {
    "campaigns": AnalysisRun.Stage.CAMPAIGNS,
    "themes": AnalysisRun.Stage.THEMES,
    "flag": AnalysisRun.Stage.THEMES,
    "place": AnalysisRun.Stage.PLACING,
    "sub_themes": AnalysisRun.Stage.SUB_THEMES,
    FINISH: AnalysisRun.Stage.SUMMARIES,
}


def _stage_of(pieces: list[Piece]) -> str:
    return _WAVES[pieces[0].kind]


def run_piece(run_id: int, execution: str, number: int, work: dict[str, Any]) -> None:
    """Do one piece of a run (the `run_piece` task). A piece of an execution that no longer holds
    the run, or one already done, does nothing."""
    run = (
        AnalysisRun.objects.select_related("consultation")
        .filter(pk=run_id, execution=execution, status=AnalysisRun.Status.RUNNING)
        .first()
    )
    if run is None:
        logger.info("analysis run %s: piece %s is for an execution that no longer holds the run", run_id, number)
        return
    piece = Piece(**work)
    if not _in_its_wave(piece, run.stage) or number in run.chunks_finished:
        logger.info("analysis run %s: piece %s (%s) is done, or its wave is", run_id, number, piece.kind)
        return
    try:
        with Heartbeat(run, every=settings.ANALYSIS_HEARTBEAT_SECONDS):
            if piece.kind == FINISH:
                run_finish.finish(run)
                return
            write = _prepare(run, piece, number)
            complete = _record_done(run, number, piece, write)
    except ClaimLost:
        logger.warning("analysis run %s: another execution claimed it; piece %s stops", run_id, number)
        return
    except Exception as error:
        logger.exception("analysis run %s failed in piece %s (%s)", run_id, number, piece.kind)
        fail(run, error)
        raise
    if complete:
        send_wave(run, _next_wave(run, piece.kind))


def _prepare(run: AnalysisRun, piece: Piece, number: int) -> Callable[[], None]:
    """Do a piece's work and return what writes its rows (run under the run's row lock)."""
    if piece.kind == "campaigns" and piece.question_id is not None:
        return run_discovery.scan_campaigns(run, piece.question_id, piece.first, piece.last, number)
    if piece.kind == "themes" and piece.question_id is not None:
        return _themes(run, piece.question_id, piece.last)
    if piece.kind == "place":
        return _place(run, piece)
    if piece.kind == "flag":
        _flag(run, piece)
        return lambda: None
    if piece.kind == "sub_themes" and piece.question_id is not None:
        write, usage = sub_themes.find(run, piece.question_id, piece.parent_id, piece.count)
        add_usage(run, usage)
        return write
    raise ValueError(f"unknown piece {piece.kind!r}")


def _themes(run: AnalysisRun, question_id: int, last: int) -> Callable[[], None]:
    """A question's campaigns and themes; what saves them also adds the pieces that place the
    question's other answers to the next wave, and the language model's use and the seconds spent
    to the run's."""
    found = run_discovery.discover(run, question_id, last)
    rate = found.discovery.sample_rate
    placing = [
        Piece("place", question_id, first, end, rate).as_dict()
        for first, end in _ranges(found.placing, settings.ANALYSIS_CHUNK_SIZE)
    ]

    def write() -> None:
        found.write()
        locked = AnalysisRun.objects.only("next_pieces", "timings").get(pk=run.pk)  # locked by the caller
        timings = dict(locked.timings)
        for stage, seconds in found.timings.items():
            timings[stage] = round(float(timings.get(stage, 0.0)) + seconds, 3)
        owned(run).update(next_pieces=[*locked.next_pieces, *placing], timings=timings)
        add_usage(run, found.discovery.usage)

    return write


def _in_its_wave(piece: Piece, stage: str) -> bool:
    """Whether the run is at the stage the piece was sent for (a piece delivered again after its
    wave is done is not counted in the next one)."""
    return stage == _WAVES.get(piece.kind)


def _record_done(run: AnalysisRun, number: int, piece: Piece, write: Callable[[], None]) -> bool:
    """Write a piece's rows and count it done, once; return whether it completed its wave."""
    with transaction.atomic():
        locked = owned(run).select_for_update().first()
        if locked is None:
            raise ClaimLost(f"analysis run {run.pk} was claimed by another execution")
        if number in locked.chunks_finished or not _in_its_wave(piece, locked.stage):
            return False
        write()
        finished = [*locked.chunks_finished, number]
        low, high = _PROGRESS.get(locked.stage, (40, 70))
        owned(run).update(
            chunks_finished=finished,
            chunks_done=len(finished),
            progress=low + (high - low) * len(finished) // max(locked.chunks_total, 1),
            heartbeat_at=timezone.now(),
        )
        return len(finished) >= locked.chunks_total


def _next_wave(run: AnalysisRun, kind: str) -> list[Piece]:
    waiting = AnalysisRun.objects.values_list("next_pieces", flat=True).get(pk=run.pk)
    if waiting:
        return [Piece(**work) for work in waiting]
    if kind != "sub_themes":
        found = [
            Piece("sub_themes", question_id, parent_id=parent_id, count=count)
            for question_id, parent_id, count in sub_themes.wanted(run)
        ]
        if found:
            return found
    return [Piece(FINISH)]


def fail(run: AnalysisRun, error: BaseException) -> None:
    """Mark the run failed (only while this execution holds it) and remove what it wrote."""
    failed = owned(run).update(
        status=AnalysisRun.Status.FAILED, error=f"{type(error).__name__}: {error}", finished_at=timezone.now()
    )
    if failed:
        discard_results(run)


# --- Placing and flagging ------------------------------------------------------------------------


def _place(run: AnalysisRun, piece: Piece) -> Callable[[], None]:
    """Place a range of a sampled question's answers: the sample's own are placed already; a
    campaign copy takes its original's themes; every other answer joins the themes it is close
    enough to, by the stored centroids and thresholds."""
    embedder = embeddings.configured_embedder()
    question_themes = list(Theme.objects.filter(run=run, question_id=piece.question_id).order_by("key"))
    by_key = {theme.key: theme.pk for theme in question_themes}
    ids = list(
        Answer.objects.filter(question_id=piece.question_id, pk__gte=piece.first, pk__lte=piece.last)
        .counted()
        .substantive()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    copies = dict(
        CampaignMember.objects.filter(
            campaign__run=run,
            campaign__question_id=piece.question_id,
            answer_id__gte=piece.first,
            answer_id__lte=piece.last,
        )
        .exclude(answer_id=F("campaign__canonical_answer_id"))
        .values_list("answer_id", "campaign__canonical_answer_id")
    )
    seed = run.parameters["seed"]
    sampled = sampling.in_sample(np.array(ids, dtype=np.int64), piece.rate, seed)
    to_place = [
        answer_id for answer_id, kept in zip(ids, sampled.tolist(), strict=True) if answer_id not in copies and not kept
    ]
    originals = sorted(set(copies.values()))
    originals_sampled = sampling.in_sample(np.array(originals, dtype=np.int64), piece.rate, seed)
    known = {original for original, kept in zip(originals, originals_sampled.tolist(), strict=True) if kept}
    keys_of: dict[int, list[int]] = {}
    ordered = sorted(known)
    for start in range(0, len(ordered), ID_CHUNK):
        batch = ordered[start : start + ID_CHUNK]
        for answer_id, key in (
            ThemeAssignment.objects.filter(theme__run=run, answer_id__in=batch).order_by("answer_id", "rank")
        ).values_list("answer_id", "theme__key"):
            keys_of.setdefault(answer_id, []).append(key)
    placing = set(to_place)
    unknown = [original for original in originals if original not in known and original not in placing]
    wanted = to_place + unknown
    centroids = np.vstack([embedding_lib.from_bytes(theme.centroid, embedder.dimensions) for theme in question_themes])
    found = (
        themes.assign_answers(
            centroids,
            embeddings.stored_vectors(wanted, embedder.name, embedder.dimensions)
            if wanted
            else np.zeros((0, embedder.dimensions), dtype=np.float32),
            thresholds=np.array([theme.threshold for theme in question_themes], dtype=np.float32),
            keys=[theme.key for theme in question_themes],
        )
        if wanted
        else []
    )
    keys_of.update(zip(wanted, found, strict=True))
    rows = [
        (by_key[key], answer_id, rank, False) for answer_id in to_place for rank, key in enumerate(keys_of[answer_id])
    ]
    in_range = set(ids)
    rows.extend(
        (by_key[key], copy, rank, False)
        for copy, original in copies.items()
        if copy in in_range
        for rank, key in enumerate(keys_of.get(original, []))
    )

    def write() -> None:
        write_rows(ThemeAssignment, ["theme_id", "answer_id", "rank", "is_late"], rows)

    return write


def _flag(run: AnalysisRun, piece: Piece) -> None:
    """Raise the automatic moderation flags of a range of the consultation's answers. Flags say
    what an answer is, whichever run found it, so they are raised at once (idempotently) rather
    than with the run's results; the campaign copies' flags are raised when the run finishes."""
    answers = list(analysable_answers(run.consultation).filter(pk__gte=piece.first, pk__lte=piece.last))
    moderation.flag_answers(answers)
