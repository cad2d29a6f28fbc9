"""Sub-themes: the narrower views inside each theme of a large question, and the small views among
the answers that fit no theme, found by a run once every answer is placed.

A large question's themes are found on a sample, where a theme needs 0.1% of the sample: a view
held by 500 of a million answers cannot be one. Here each large theme's own answers (a seeded
sample of up to `sampling.SUB_THEME_SAMPLE`) are clustered again with the same method
(`themes.discover_themes`), each sub-theme needing `sampling.sub_theme_min_size` of the question,
then labelled, and every answer of the theme joins the sub-theme it is close enough to. One piece
of work per theme (`consult.services.run_chunks`), so the themes are shared out over the
workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from django.db.models import Count, Exists, F, OuterRef, QuerySet

from consult.analysis import embedding as embedding_lib
from consult.analysis import llm, sampling, themes
from consult.analysis.types import AnswerText
from consult.models import (
    AnalysisRun,
    Answer,
    AnswerEmbedding,
    CampaignMember,
    Question,
    SubTheme,
    SubThemeAssignment,
    Theme,
    ThemeAssignment,
)
from consult.services import embeddings
from consult.services.bulk_rows import write_rows
from consult.services.run_inputs import PAGE, answer_texts, language_model


def wanted(run: AnalysisRun) -> list[tuple[int, int | None, int]]:
    """(question id, theme id, the question's substantive answers) for each theme large enough to
    hold sub-themes, in questions large enough to have them, and (question id, None, ...) for such
    a question's answers that fit no theme."""
    found: list[tuple[int, int | None, int]] = []
    questions = run.consultation.questions.filter(themes__run=run).distinct().order_by("position")
    for question in questions:
        substantive = Answer.objects.filter(question=question).counted().substantive()
        count = substantive.count()
        if count < sampling.SUB_THEMES_FROM:
            continue
        sizes = (
            ThemeAssignment.objects.filter(theme__run=run, theme__question=question, rank=0)
            .values("theme_id")
            .annotate(n=Count("pk"))
            .values_list("theme_id", "n")
        )
        found.extend(
            (question.pk, theme_id, count)
            for theme_id, n in sorted(sizes, key=lambda row: -row[1])
            if n >= sampling.SUB_THEME_MIN_MEMBERS
        )
        if substantive.filter(~_placed_in(run)).count() >= sampling.SUB_THEME_MIN_MEMBERS:
            found.append((question.pk, None, count))
    return found


def find(
    run: AnalysisRun, question_id: int, parent_id: int | None, question_count: int
) -> tuple[Callable[[], None], llm.Usage]:
    """Find the sub-themes of one theme (or of the question's answers that fit no theme), label
    them, and place the theme's answers in them; return what writes them, and the language
    model's use. The theme's answers are read twice: the sample's texts and vectors, then every
    answer's vector, a page at a time, to place it."""
    parent = Theme.objects.select_related("question").get(pk=parent_id) if parent_id is not None else None
    members = _members(run, question_id, parent)
    copies = _copies(run, members)
    originals = np.array([answer_id for answer_id in members.values_list("pk", flat=True) if answer_id not in copies])
    seed = run.parameters["seed"] + (parent.key if parent else 0)
    total = len(originals) + len(copies)
    rate = min(1.0, sampling.SUB_THEME_SAMPLE / max(len(originals), 1))
    sample = [int(i) for i in originals[sampling.in_sample(originals, rate, seed)]] if len(originals) else []
    if len(sample) < 2 * sampling.SUB_THEME_MIN_ANSWERS:
        return (lambda: None), llm.Usage()
    min_size = sampling.sub_theme_min_size(question_count, len(sample) / max(total, 1))
    embedder = embeddings.configured_embedder()
    vectors = embeddings.stored_vectors(sample, embedder.name, embedder.dimensions)
    texts = _texts(sample)
    model = themes.discover_themes(
        texts,
        vectors,
        min_themes=1 if parent is None else 2,
        max_themes=sampling.MAX_SUB_THEMES,
        seed=seed,
        min_theme_size=min_size,
        fit_sample_size=len(sample),
    )
    found = model.themes if (parent is None or len(model.themes) >= 2) else []
    if not found:
        return (lambda: None), llm.Usage()
    question_text = parent.question.text if parent else Question.objects.get(pk=question_id).text
    labelled, usage = llm.label_themes(
        language_model(),
        question_text,
        found,
        {text.id: text for text in texts},
        vectors={text.id: vectors[index] for index, text in enumerate(texts)},
        encode=embedder.encode,
    )
    centroids = model.centroids[: len(labelled)]
    thresholds = np.asarray(model.thresholds[: len(labelled)], dtype=np.float32)
    placed: list[tuple[int, int]] = []  # (sub-theme index, answer id)
    for ids, page in _member_vectors(members, embedder):
        keys = themes.assign_answers(centroids, page, thresholds=thresholds, secondary_margin=0.0)
        placed.extend(
            (found_keys[0] - 1, answer_id) for answer_id, found_keys in zip(ids, keys, strict=True) if found_keys
        )
    counts = np.bincount([index for index, _ in placed], minlength=len(labelled))

    def write() -> None:
        base = parent.key * 100 if parent else 0
        rows = []
        for index, theme in enumerate(labelled):
            row = SubTheme.objects.create(
                run=run,
                question_id=question_id,
                parent=parent,
                key=base + index + 1,
                label=theme.label,
                description=theme.description,
                label_source=theme.label_source.value,
                keywords=list(theme.keywords),
                answer_count=int(counts[index]),
                centroid=embedding_lib.to_bytes(centroids[index]),
                threshold=float(thresholds[index]),
            )
            row.representatives.set(theme.representative_ids)
            rows.append(row.pk)
        write_rows(
            SubThemeAssignment,
            ["sub_theme_id", "answer_id"],
            ((rows[index], answer_id) for index, answer_id in placed),
        )

    return write, usage


def _members(run: AnalysisRun, question_id: int, parent: Theme | None) -> QuerySet[Answer]:
    """The theme's answers (its primary one), or the question's that fit no theme, in id order."""
    answers = Answer.objects.filter(question_id=question_id).counted().substantive()
    if parent is not None:
        answers = answers.filter(theme_assignments__theme=parent, theme_assignments__rank=0)
    else:
        answers = answers.filter(~_placed_in(run))
    return answers.order_by("pk")


def _copies(run: AnalysisRun, members: QuerySet[Answer]) -> set[int]:
    """Which of the members copy a campaign of the run: they take part in placing, not finding."""
    return set(
        CampaignMember.objects.filter(campaign__run=run, answer__in=members.values("pk"))
        .exclude(answer_id=F("campaign__canonical_answer_id"))
        .values_list("answer_id", flat=True)
    )


def _member_vectors(
    members: QuerySet[Answer], embedder: embedding_lib.Embedder
) -> Iterator[tuple[list[int], np.ndarray]]:
    """The members' stored vectors, a page at a time, read by joining rather than naming ids."""
    rows = (
        AnswerEmbedding.objects.filter(answer__in=members.values("pk"), model_name=embedder.name)
        .order_by("answer_id")
        .values_list("answer_id", "vector")
    )
    ids: list[int] = []
    vectors: list[np.ndarray] = []
    for answer_id, data in rows.iterator(chunk_size=PAGE):
        ids.append(answer_id)
        vectors.append(embedding_lib.from_bytes(data, embedder.dimensions))
        if len(ids) == PAGE:
            yield ids, np.vstack(vectors)
            ids, vectors = [], []
    if ids:
        yield ids, np.vstack(vectors)


def _placed_in(run: AnalysisRun) -> Exists:
    """The answer has a place in one of the run's themes (NOT EXISTS, which PostgreSQL plans as an
    anti-join, where NOT IN over a million rows would not fit in memory)."""
    return Exists(ThemeAssignment.objects.filter(answer_id=OuterRef("pk"), theme__run=run))


def _texts(ids: list[int]) -> list[AnswerText]:
    found = answer_texts(ids)
    return [found[answer_id] for answer_id in ids]
