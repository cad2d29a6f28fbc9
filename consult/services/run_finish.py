"""An analysis run's finishing step: the last piece of a run (`consult.services.run_chunks`).

It places the answers that arrived while the run worked, flags the campaign copies, counts every
theme in SQL, writes the summaries from a seeded sample of each theme's answers with the true
totals, and marks the run succeeded, all of it switched in by one transaction. It also places late
answers in a finished run's themes, for the arrivals.
"""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone

from consult.analysis import embedding as embedding_lib
from consult.analysis import llm, redaction, sampling, themes
from consult.analysis.pipeline import summarise_questions
from consult.analysis.types import AnswerText, Summary, TextSource
from consult.analysis.types import Theme as ThemeText
from consult.models import (
    AnalysisRun,
    Answer,
    CampaignMember,
    CampaignScan,
    LateAnswer,
    Question,
    QuestionSummary,
    Theme,
    ThemeAssignment,
)
from consult.models.analysis import SummarySentence
from consult.services import embeddings, moderation, recounts
from consult.services.run_claims import ClaimLost, owned, set_stage
from consult.services.run_inputs import (
    ID_CHUNK,
    PAGE,
    analysable_answers,
    answer_texts,
    language_model,
    redact_answers,
)

# Answers a summary may quote from each theme.
SUMMARY_MEMBERS = 200


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
        CampaignScan.objects.filter(run=run).delete()
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
        ids = assignments.filter(theme=theme).order_by("answer_id").values_list("answer_id", flat=True)
        members = np.array([answer_id for answer_id in ids if answer_id not in copies], dtype=np.int64)
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
    return theme_texts, answer_texts(sorted(chosen)), total


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
