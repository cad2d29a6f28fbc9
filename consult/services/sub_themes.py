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

from collections.abc import Callable

import numpy as np
from django.db.models import F

from consult.analysis import embedding as embedding_lib
from consult.analysis import llm, sampling, themes
from consult.analysis.types import AnswerText
from consult.models import AnalysisRun, Answer, CampaignMember, SubTheme, SubThemeAssignment, Theme, ThemeAssignment
from consult.services import embeddings
from consult.services.bulk_rows import write_rows
from consult.services.run_inputs import ID_CHUNK, PAGE, language_model


def wanted(run: AnalysisRun) -> list[tuple[int, int | None]]:
    """(question id, theme id) for each theme large enough to hold sub-themes, in questions large
    enough to have them, and (question id, None) for such a question's answers that fit no theme."""
    found: list[tuple[int, int | None]] = []
    questions = run.consultation.questions.filter(themes__run=run).distinct().order_by("position")
    for question in questions:
        substantive = Answer.objects.filter(question=question).counted().substantive()
        if substantive.count() < sampling.SUB_THEMES_FROM:
            continue
        for theme in Theme.objects.filter(run=run, question=question).order_by("key"):
            if ThemeAssignment.objects.filter(theme=theme, rank=0).count() >= sampling.SUB_THEME_MIN_MEMBERS:
                found.append((question.pk, theme.pk))
        unplaced = substantive.exclude(theme_assignments__theme__run=run)
        if unplaced.count() >= sampling.SUB_THEME_MIN_MEMBERS:
            found.append((question.pk, None))
    return found


def find(run: AnalysisRun, question_id: int, parent_id: int | None) -> tuple[Callable[[], None], llm.Usage]:
    """Find the sub-themes of one theme (or of the question's answers that fit no theme), label
    them, and place the theme's answers in them; return what writes them, and the language
    model's use."""
    parent = Theme.objects.select_related("question").get(pk=parent_id) if parent_id is not None else None
    members = _members(run, question_id, parent)
    copies = set(
        CampaignMember.objects.filter(campaign__run=run, campaign__question_id=question_id)
        .exclude(answer_id=F("campaign__canonical_answer_id"))
        .values_list("answer_id", flat=True)
    )
    originals = np.array([answer_id for answer_id in members if answer_id not in copies], dtype=np.int64)
    seed = run.parameters["seed"] + (parent.key if parent else 0)
    rate = min(1.0, sampling.SUB_THEME_SAMPLE / max(len(originals), 1))
    sample = [int(i) for i in originals[sampling.in_sample(originals, rate, seed)]]
    question_count = Answer.objects.filter(question_id=question_id).counted().substantive().count()
    min_size = sampling.sub_theme_min_size(question_count, len(sample) / max(len(members), 1))
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
        fit_sample_size=max(len(sample), 1),
    )
    found = model.themes if (parent is None or len(model.themes) >= 2) else []
    if not found:
        return (lambda: None), llm.Usage()
    question_text = parent.question.text if parent else Answer.objects.get(pk=sample[0]).question.text
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
    for start in range(0, len(members), PAGE):
        batch = members[start : start + PAGE]
        keys = themes.assign_answers(
            centroids,
            embeddings.stored_vectors(batch, embedder.name, embedder.dimensions),
            thresholds=thresholds,
            secondary_margin=0.0,
        )
        placed.extend(
            (found_keys[0] - 1, answer_id) for answer_id, found_keys in zip(batch, keys, strict=True) if found_keys
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
            SubThemeAssignment, ["sub_theme_id", "answer_id"], ((rows[index], answer_id) for index, answer_id in placed)
        )

    return write, usage


def _members(run: AnalysisRun, question_id: int | None, parent: Theme | None) -> list[int]:
    """The ids of the theme's answers (primary theme), or of the question's that fit no theme."""
    if parent is not None:
        rows = ThemeAssignment.objects.filter(theme=parent, rank=0).values_list("answer_id", flat=True)
    else:
        rows = (
            Answer.objects.filter(question_id=question_id)
            .counted()
            .substantive()
            .exclude(theme_assignments__theme__run=run)
            .values_list("pk", flat=True)
        )
    return sorted(rows.iterator(chunk_size=PAGE))


def _texts(ids: list[int]) -> list[AnswerText]:
    found: dict[int, str] = {}
    for start in range(0, len(ids), ID_CHUNK):
        found.update(Answer.objects.filter(pk__in=ids[start : start + ID_CHUNK]).values_list("pk", "redacted_text"))
    return [AnswerText(id=answer_id, text=found[answer_id]) for answer_id in ids]
