"""An analysis run's work after its themes are found, in pieces spread over the workers.

`runs.run_analysis` finds each question's campaigns and themes and saves them (`save_discovery`)
under the run, which stays RUNNING, so no page shows them. It then sends the first wave of pieces
to the `analysis` queue: each places a range of answer ids in its question's themes (`place`) or
raises the automatic moderation flags for a range (`flag`). The piece that finishes a wave sends
the next: sub-themes, one piece per large theme (`consult.services.sub_themes`), then `finish`,
which counts the themes, writes the summaries, places the answers that arrived meanwhile and marks
the run succeeded, all in one transaction: the results switch in at once.

Counting a wave's pieces is the database's job, not a result backend's: each piece, in the
transaction that writes its rows, records its number on the run (`chunks_finished`) under the run's
row lock, so a piece delivered twice writes once, and exactly one piece sees the wave complete.
Every piece carries the run's execution token: once another execution claims the run (its worker
went silent), the old pieces write nothing. A piece that fails marks the run failed and removes
what the run had written; the previous run's results stay as they were.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone

from consult import task_names
from consult.analysis import embedding as embedding_lib
from consult.analysis import llm, redaction, sampling, themes
from consult.analysis.pipeline import Discovery, summarise_questions
from consult.analysis.types import AnswerText, Summary, TextSource
from consult.analysis.types import Theme as ThemeText
from consult.models import (
    AnalysisRun,
    Answer,
    Campaign,
    CampaignMember,
    LateAnswer,
    Question,
    QuestionSummary,
    SubTheme,
    Theme,
    ThemeAssignment,
)
from consult.models.analysis import SummarySentence
from consult.services import embeddings, moderation, outbox, recounts, sub_themes
from consult.services.bulk_rows import write_rows
from consult.services.run_claims import ClaimLost, Heartbeat, owned, set_stage
from consult.services.run_inputs import (
    ID_CHUNK,
    PAGE,
    analysable_answers,
    language_model,
    redact_answers,
)

logger = logging.getLogger(__name__)

FINISH = "finish"
# Answers a summary may quote from each theme.
SUMMARY_MEMBERS = 200


@dataclass(frozen=True)
class Piece:
    """One piece of a run's work: `kind` is "place" (a range of a question's answer ids), "flag"
    (a range of the consultation's), "sub_themes" (one theme, or with no `parent_id` the answers
    of `question_id` that fit no theme) or "finish"."""

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
        SubTheme.objects.filter(run=run).delete()
        Theme.objects.filter(run=run).delete()
        Campaign.objects.filter(run=run).delete()
        QuestionSummary.objects.filter(run=run).delete()
        LateAnswer.objects.filter(run=run).delete()


def save_discovery(run: AnalysisRun, question: Question, discovery: Discovery, answer_ids: list[int]) -> list[Piece]:
    """Write one question's themes, campaigns and the sample's places under the (still running)
    run; return the pieces that place the other answers. A question clustered whole is placed
    here entirely, campaign copies included, and needs none."""
    with transaction.atomic():
        if not owned(run).select_for_update().exists():
            raise ClaimLost(f"analysis run {run.pk} was claimed by another execution")
        rows: dict[int, Theme] = {}
        for index, theme in enumerate(discovery.themes):
            row = Theme.objects.create(
                run=run,
                question=question,
                key=theme.key,
                label=theme.label,
                description=theme.description,
                label_source=theme.label_source.value,
                keywords=list(theme.keywords),
                answer_count=0,
                campaign_once_count=0,
                centroid=embedding_lib.to_bytes(discovery.centroids[index]),
                threshold=float(discovery.thresholds[index]),
            )
            row.representatives.set(theme.representative_ids)
            rows[theme.key] = row
        for campaign in discovery.campaigns:
            campaign_row = Campaign.objects.create(
                run=run,
                question=question,
                key=campaign.key,
                canonical_answer_id=campaign.canonical_id,
                member_count=campaign.count,
            )
            write_rows(
                CampaignMember,
                ["campaign_id", "answer_id", "addition"],
                ((campaign_row.pk, member, campaign.additions.get(member, "")) for member in campaign.member_ids),
            )
        placed = {assignment.answer_id: assignment.theme_keys for assignment in discovery.sample_assignments}
        if discovery.sample_rate >= 1.0:
            # Clustered whole: every copy takes its original's themes now.
            placed.update({copy: placed.get(original, []) for copy, original in discovery.copy_of.items()})
        write_rows(
            ThemeAssignment,
            ["theme_id", "answer_id", "rank", "is_late"],
            (
                (rows[key].pk, answer_id, rank, False)
                for answer_id, keys in placed.items()
                for rank, key in enumerate(keys)
            ),
        )
    if discovery.sample_rate >= 1.0 or not discovery.themes:
        return []
    return [
        Piece("place", question.pk, first, last, discovery.sample_rate)
        for first, last in _ranges(answer_ids, settings.ANALYSIS_CHUNK_SIZE)
    ]


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


def send_early(run: AnalysisRun, pieces: list[Piece]) -> None:
    """Send pieces that need nothing the run is still finding (screening answers for moderation)
    while it finds campaigns and themes, so that the other workers take them meanwhile. They count
    towards the placing wave, which `send_wave(..., joins_early=True)` completes."""
    with transaction.atomic():
        if not owned(run).select_for_update().exists():
            raise ClaimLost(f"analysis run {run.pk} was claimed by another execution")
        owned(run).update(chunks_total=len(pieces), chunks_done=0, chunks_finished=[])
        for number, piece in enumerate(pieces):
            outbox.send_on_commit(task_names.RUN_PIECE, run.pk, run.execution, number, piece.as_dict())


def send_wave(run: AnalysisRun, pieces: list[Piece], *, joins_early: bool = False) -> None:
    """Send the run's next wave of pieces (with none, its finishing step). `joins_early`: the
    placing wave, which also counts the pieces `send_early` sent."""
    if not pieces and not joins_early:
        pieces = [Piece(FINISH)]
    stage = _stage_of(pieces) if pieces else AnalysisRun.Stage.PLACING
    with transaction.atomic():
        locked = owned(run).select_for_update().first()
        if locked is None:
            return
        timings = dict(locked.timings)
        if locked.stage in (AnalysisRun.Stage.PLACING, AnalysisRun.Stage.SUB_THEMES):
            timings = _lap(timings, locked.stage)
        else:
            timings["_since"] = time.time()
        finished = list(locked.chunks_finished) if joins_early else []
        offset = locked.chunks_total if joins_early else 0
        total = offset + len(pieces)
        owned(run).update(
            stage=stage,
            progress=_PROGRESS[stage][0],
            chunks_total=total,
            chunks_done=len(finished),
            chunks_finished=finished,
            timings=timings,
            heartbeat_at=timezone.now(),
        )
        for number, piece in enumerate(pieces, start=offset):
            outbox.send_on_commit(task_names.RUN_PIECE, run.pk, run.execution, number, piece.as_dict())
        complete = joins_early and len(finished) >= total
    if complete:
        send_wave(run, _next_wave(run, "place"))


_PROGRESS = {
    AnalysisRun.Stage.PLACING: (40, 70),
    AnalysisRun.Stage.SUB_THEMES: (70, 85),
    AnalysisRun.Stage.SUMMARIES: (88, 95),
}


def _stage_of(pieces: list[Piece]) -> str:
    if pieces[0].kind == FINISH:
        return AnalysisRun.Stage.SUMMARIES
    if pieces[0].kind == "sub_themes":
        return AnalysisRun.Stage.SUB_THEMES
    return AnalysisRun.Stage.PLACING


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
    if not _in_its_wave(piece, run.stage):
        logger.info("analysis run %s: piece %s (%s) belongs to a wave already done", run_id, number, piece.kind)
        return
    try:
        with Heartbeat(run, every=settings.ANALYSIS_HEARTBEAT_SECONDS):
            if piece.kind == FINISH:
                finish(run)
                return
            write = _prepare(run, piece)
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


def _prepare(run: AnalysisRun, piece: Piece) -> Callable[[], None]:
    """Do a piece's work and return what writes its rows (run under the run's row lock)."""
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


def _in_its_wave(piece: Piece, stage: str) -> bool:
    """Whether the run is at the stage the piece was sent for (a piece delivered again after its
    wave is done is not counted in the next one). Screening pieces go out while the run is still
    finding its themes."""
    if piece.kind == "flag":
        return stage not in (AnalysisRun.Stage.SUB_THEMES, AnalysisRun.Stage.SUMMARIES)
    wave = {"place": AnalysisRun.Stage.PLACING, "sub_themes": AnalysisRun.Stage.SUB_THEMES}
    return stage == wave.get(piece.kind, AnalysisRun.Stage.SUMMARIES)


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
        # Pieces sent early complete nothing while the run is still finding its themes.
        return len(finished) >= locked.chunks_total and locked.stage in AnalysisRun.PIECES_STAGES


def _next_wave(run: AnalysisRun, kind: str) -> list[Piece]:
    if kind in ("place", "flag"):
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
    for start in range(0, len(known), ID_CHUNK):
        batch = sorted(known)[start : start + ID_CHUNK]
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


def _flag_copies(run: AnalysisRun) -> None:
    """Flag every copy of a campaign the run found (never the campaign's own original)."""
    copies = CampaignMember.objects.filter(campaign__run=run).exclude(answer_id=F("campaign__canonical_answer_id"))
    after = 0
    while page := list(
        copies.filter(answer_id__gt=after)
        .order_by("answer_id")
        .values_list("answer_id", "campaign__member_count")[:ID_CHUNK]
    ):
        after = page[-1][0]
        details = {answer_id: moderation.campaign_copy_detail(count) for answer_id, count in page}
        # By id alone: the copies are this consultation's free-text answers, and flag_answers
        # leaves hidden answers and unsent responses alone (SQLite plans the analysable-answers
        # joins with an id list as a scan of every answer).
        answers = list(Answer.objects.filter(pk__in=list(details)).select_related("response"))
        # The flag pieces screened every answer already: only the campaign flag is new here.
        moderation.flag_answers(answers, campaign_copies=details, screen=False)


# --- Finishing -----------------------------------------------------------------------------------


def finish(run: AnalysisRun) -> None:
    """Place the answers that arrived while the run worked, count every theme, write the summaries
    and mark the run succeeded: its results switch in, in one transaction."""
    set_stage(run, AnalysisRun.Stage.SUMMARIES, 88)
    started = time.perf_counter()
    embedder = embeddings.configured_embedder()
    _place_arrivals(run, embedder)
    _flag_copies(run)
    once = run.parameters.get("count_campaigns_once", True)
    counts, once_counts = _counts(run)
    model = language_model()
    questions = list(run.consultation.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position"))
    summaries: list[tuple[int | None, Summary]] = []
    per_question: list[tuple[list[ThemeText], dict[int, int]]] = []
    texts: dict[int, AnswerText] = {}
    total = 0
    usage = llm.Usage()
    for question in questions:
        theme_texts, question_texts, question_total = _summary_inputs(run, question, once)
        key_counts = {
            theme.key: (once_counts if once else counts).get(theme.pk, 0)
            for theme in Theme.objects.filter(run=run, question=question)
        }
        summary, summary_usage = llm.summarise(
            model, question.text, theme_texts, question_texts, counts=key_counts, total=question_total
        )
        usage = usage + summary_usage
        summaries.append((question.pk, summary))
        per_question.append((theme_texts, key_counts))
        texts.update(question_texts)
        total += question_total
    overall, overall_usage = summarise_questions(run.consultation.title, per_question, texts, model=model, total=total)
    usage = usage + overall_usage
    summaries.append((None, overall))
    references = _references([i for _, summary in summaries for s in summary.sentences for i in s.answer_ids])
    seconds = time.perf_counter() - started

    saving = time.perf_counter()
    with transaction.atomic():
        locked = owned(run).select_for_update().first()
        if locked is None:
            raise ClaimLost(f"analysis run {run.pk} was claimed by another execution before saving")
        agreement = _agreement_counts(run, questions)
        Theme.objects.bulk_update(
            list(_themes_with_counts(run, counts, once_counts, agreement)),
            ["answer_count", "campaign_once_count", "agreement_counts"],
            batch_size=500,
        )
        for question_id, summary in summaries:
            QuestionSummary.objects.create(
                run=run,
                question_id=question_id,
                sentences=_cited(summary, references),
                source=TextSource(summary.source).value,
            )
        timings = {stage: seconds for stage, seconds in locked.timings.items() if stage != "_since"}
        timings["summaries"] = round(seconds, 3)
        timings["saving"] = round(time.perf_counter() - saving, 3)
        owned(run).update(
            status=AnalysisRun.Status.SUCCEEDED,
            error="",
            stage=AnalysisRun.Stage.DONE,
            progress=100,
            finished_at=timezone.now(),
            timings=timings,
            versions={
                "embedding_model": embedder.name,
                "themes": themes.THEMES_VERSION,
                "redaction": redaction.REDACTION_VERSION,
                "prompt": llm.PROMPT_VERSION,
                "language_model": model.name if model else "",
            },
            llm_calls=F("llm_calls") + usage.calls,
            prompt_tokens=F("prompt_tokens") + usage.prompt_tokens,
            completion_tokens=F("completion_tokens") + usage.completion_tokens,
            estimated_cost=F("estimated_cost") + Decimal(str(round(usage.estimated_cost, 4))),
            rejected_labels=F("rejected_labels") + usage.rejected_labels,
            dropped_quotes=sum(summary.dropped_quotes for _, summary in summaries),
            dropped_figures=sum(summary.dropped_figures for _, summary in summaries),
            dropped_unsafe=sum(summary.dropped_unsafe for _, summary in summaries),
        )
        # The dashboards' counts for the new themes, ready before any official opens them.
        recounts.after_change(run.consultation_id)


def _themes_with_counts(
    run: AnalysisRun, counts: dict[int, int], once_counts: dict[int, int], agreement: dict[int, dict[int, int]]
) -> list[Theme]:
    rows = list(Theme.objects.filter(run=run))
    for theme in rows:
        theme.answer_count = counts.get(theme.pk, 0)
        theme.campaign_once_count = once_counts.get(theme.pk, 0)
        theme.agreement_counts = {str(point): n for point, n in sorted(agreement.get(theme.pk, {}).items())}
    return rows


def _copies(run: AnalysisRun, question: Question | None = None) -> set[int]:
    """The answers that copy a campaign of the run (never a campaign's own original): at most the
    campaigns' size, read once, so that counting them needs no correlated subquery per row (which
    SQLite plans as a scan per assignment)."""
    members = CampaignMember.objects.filter(campaign__run=run)
    if question is not None:
        members = members.filter(campaign__question=question)
    return set(
        members.exclude(answer_id=F("campaign__canonical_answer_id"))
        .values_list("answer_id", flat=True)
        .iterator(chunk_size=PAGE)
    )


def _counts(run: AnalysisRun) -> tuple[dict[int, int], dict[int, int]]:
    """Each theme's answers, every copy counted, and with each campaign counted once."""
    rows = ThemeAssignment.objects.filter(theme__run=run)
    every = dict(rows.values("theme_id").annotate(n=Count("pk")).values_list("theme_id", "n"))
    copied: Counter[int] = Counter()
    copies = sorted(_copies(run))
    for start in range(0, len(copies), ID_CHUNK):
        batch = rows.filter(answer_id__in=copies[start : start + ID_CHUNK])
        copied.update(dict(batch.values("theme_id").annotate(n=Count("pk")).values_list("theme_id", "n")))
    return every, {theme_id: n - copied[theme_id] for theme_id, n in every.items()}


def _agreement_counts(run: AnalysisRun, questions: list[Question]) -> dict[int, dict[int, int]]:
    """For each theme of a question that explains an agreement question, how its members answered it."""
    found: dict[int, dict[int, int]] = {}
    for question in questions:
        if question.explains_id is None:
            continue
        point = Answer.objects.filter(
            response_id=OuterRef("answer__response_id"), question_id=question.explains_id, agreement__isnull=False
        ).values("agreement")[:1]
        rows = (
            ThemeAssignment.objects.filter(theme__run=run, theme__question=question)
            .annotate(point=Subquery(point))
            .exclude(point=None)
            .values("theme_id", "point")
            .annotate(n=Count("pk"))
            .values_list("theme_id", "point", "n")
        )
        for theme_id, value, n in rows:
            found.setdefault(theme_id, {})[value] = n
    return found


def _summary_inputs(
    run: AnalysisRun, question: Question, once: bool
) -> tuple[list[ThemeText], dict[int, AnswerText], int]:
    """The question's themes as the summary reads them, with up to SUMMARY_MEMBERS members of each
    (a seeded sample of a large theme), the texts it may quote, and how many answers it counts."""
    seed = run.parameters["seed"]
    assignments = ThemeAssignment.objects.filter(theme__run=run, theme__question=question, rank=0)
    copies = _copies(run, question) if once else set()
    total = Answer.objects.filter(question=question).counted().substantive().count() - len(copies)
    theme_texts: list[ThemeText] = []
    chosen: set[int] = set()
    for theme in Theme.objects.filter(run=run, question=question).order_by("key").prefetch_related("representatives"):
        members = np.array(
            [
                answer_id
                for answer_id in assignments.filter(theme=theme)
                .order_by("answer_id")
                .values_list("answer_id", flat=True)
                if answer_id not in copies
            ],
            dtype=np.int64,
        )
        if len(members) > SUMMARY_MEMBERS:
            members = members[sampling.in_sample(members, SUMMARY_MEMBERS / len(members), seed + theme.key)]
        representatives = [answer.pk for answer in theme.representatives.all()]
        member_ids = [int(i) for i in members]
        chosen.update(member_ids)
        chosen.update(representatives)
        theme_texts.append(
            ThemeText(
                key=theme.key,
                keywords=list(theme.keywords),
                member_ids=member_ids,
                representative_ids=representatives,
                label=theme.label,
                description=theme.description,
                label_source=TextSource(theme.label_source),
            )
        )
    texts: dict[int, AnswerText] = {}
    ordered = sorted(chosen)
    for start in range(0, len(ordered), ID_CHUNK):
        for answer_id, text in Answer.objects.filter(pk__in=ordered[start : start + ID_CHUNK]).values_list(
            "pk", "redacted_text"
        ):
            texts[answer_id] = AnswerText(id=answer_id, text=text)
    return theme_texts, texts, total


def _references(answer_ids: list[int]) -> dict[int, str]:
    wanted = sorted(set(answer_ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), ID_CHUNK):
        found.update(
            Answer.objects.filter(pk__in=wanted[start : start + ID_CHUNK]).values_list("pk", "response__reference")
        )
    return found


def _cited(summary: Summary, reference_of: dict[int, str]) -> list[SummarySentence]:
    return [
        {"text": sentence.text, "references": [reference_of[i] for i in sentence.answer_ids if i in reference_of]}
        for sentence in summary.sentences
    ]


def _place_arrivals(run: AnalysisRun, embedder: embedding_lib.Embedder) -> None:
    """Place the answers that arrived (or changed) since the run started in its new themes, as
    they would have been placed on arrival had the run already finished: without this they would
    drop out of the themes until the next run."""
    started = run.started_at
    arrivals = analysable_answers(run.consultation).filter(updated_at__gte=started) | analysable_answers(
        run.consultation
    ).filter(response__submitted_at__gte=started)
    after = 0
    while page := list(arrivals.filter(pk__gt=after).order_by("pk")[:ID_CHUNK]):
        after = page[-1].pk
        redact_answers(page)
        place_late_answers(run, page, embeddings.embeddings_for(page, embedder))


def place_late_answers(run: AnalysisRun, answers: list[Answer], vectors: np.ndarray) -> None:
    """Place answers the run did not read (as they are now) in its themes, by the stored centroids
    and thresholds, recording each as a late answer. A non-answer is placed nowhere, and loses any
    place an earlier text of it had; an answer placed again loses its old place, so that no answer
    is counted twice."""
    by_question: dict[int, list[Theme]] = {}
    for theme in Theme.objects.filter(run=run).order_by("question_id", "key"):
        by_question.setdefault(theme.question_id, []).append(theme)
    with transaction.atomic():
        for answer, vector in zip(answers, vectors, strict=True):
            ThemeAssignment.objects.filter(answer=answer, theme__run=run).delete()
            question_themes = by_question.get(answer.question_id, [])
            if answer.is_non_answer:
                LateAnswer.objects.filter(run=run, answer=answer).delete()
                continue
            if not question_themes:
                continue
            keys = themes.assign_answers(
                np.vstack([embedding_lib.from_bytes(t.centroid, len(vector)) for t in question_themes]),
                vector.reshape(1, -1),
                thresholds=np.array([t.threshold for t in question_themes], dtype=np.float32),
                keys=[t.key for t in question_themes],
            )[0]
            by_key = {t.key: t for t in question_themes}
            ThemeAssignment.objects.bulk_create(
                [
                    ThemeAssignment(theme=by_key[key], answer=answer, rank=rank, is_late=True)
                    for rank, key in enumerate(keys)
                ]
            )
            LateAnswer.objects.update_or_create(run=run, answer=answer, defaults={"fits_none": not keys})
