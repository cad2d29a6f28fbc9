"""Reads for the topic map: a question's answers placed on a plane by their stored embeddings,
each marked and linked by its theme."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TypedDict

from consult.models import (
    AnalysisRun,
    Answer,
    AnswerEmbedding,
    Consultation,
    Question,
)
from consult.queries.themes import answer_themes, answers_not_yet_placed, consultation_themes

# The most answers the map draws: enough to see the shape, few enough to send and draw quickly.
MAP_POINTS = 2_000
# The themes' colours (the stylesheet's consult-map--0 to 6): the Okabe-Ito palette, which readers
# with each kind of colour blindness can tell apart, with its orange darkened and its sky blue and
# yellow replaced by a wine red, so that every colour has 3:1 contrast against the white map
# (WCAG 1.4.11). The markers' shapes cycle with a period prime to the colours', so no two of the
# first 35 themes share both, and a theme's neighbours differ in both; each theme's number is also
# written where its answers sit. Answers in no theme are grey rings, those not analysed yet grey
# hollow squares.
MAP_COLOURS = 7
SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down")
NO_THEME = "Fits no theme"
NOT_ANALYSED = "Not analysed yet"


@dataclass(frozen=True)
class MapTheme:
    """A theme on the map, and its key in the legend."""

    label: str
    number: int | None  # its place among the question's themes, most answers drawn first; None for no theme
    filter: str  # the drill-down's theme filter: the theme's id, "none", or "" (no filter)
    colour: str  # a consult-map--* modifier: 0 to 6, "none" or "waiting"
    shape: str
    count: int = 0  # answers drawn
    x: str = ""  # where the theme's answers sit on average, 0 (left) to 100 (right)
    y: str = ""  # 0 (top) to 100 (bottom)


@dataclass(frozen=True)
class MapPoint:
    answer_id: int
    reference: str
    x: str
    y: str
    theme: MapTheme


class TopicMap(TypedDict):
    points: list[MapPoint]
    themes: list[MapTheme]
    total: int  # answers with an embedding, of which at most MAP_POINTS are drawn
    run: AnalysisRun | None


def topic_map(consultation: Consultation, question: Question) -> TopicMap:
    """A two-dimensional map of a free-text question's answers: their stored embeddings (from the
    latest run's model) projected onto their two main directions of difference (PCA, in numpy),
    marked by primary theme. Answers close on the map say similar things. An even sample of at
    most MAP_POINTS answers is drawn. A fixed number of queries; nothing heavy is imported."""
    import numpy as np

    from consult.analysis.embedding import from_bytes

    run = AnalysisRun.objects.latest_succeeded_for(consultation)
    empty: TopicMap = {"points": [], "themes": [], "total": 0, "run": run}
    if run is None or not run.versions.get("embedding_model"):
        return empty
    embeddings = (
        Answer.objects.filter(question=question)
        .counted()
        .filter(embeddings__model_name=run.versions["embedding_model"])
    )
    answer_ids = list(embeddings.order_by("pk").values_list("pk", flat=True))
    if len(answer_ids) < 3:
        return {**empty, "total": len(answer_ids)}
    stride = -(-len(answer_ids) // MAP_POINTS)
    sample = answer_ids[::stride]
    rows = list(
        AnswerEmbedding.objects.filter(answer_id__in=sample, model_name=run.versions["embedding_model"])
        .order_by("answer_id")
        .values_list("answer_id", "answer__response__reference", "dimensions", "vector")
    )
    matrix = np.vstack([from_bytes(vector, dimensions) for _, _, dimensions, vector in rows])
    centred = matrix - matrix.mean(axis=0)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    coords = centred @ directions[:2].T
    low, high = coords.min(axis=0), coords.max(axis=0)
    spread = np.where(high - low > 0, high - low, 1.0)
    # 3 to 97, so that points at the edges are drawn whole; y grows downwards in SVG.
    placed = 3 + 94 * (coords - low) / spread

    in_force = consultation_themes(consultation)
    question_themes = in_force.get(question.pk)
    ids = [answer_id for answer_id, *_ in rows]
    themes_of = answer_themes(consultation, ids)
    not_analysed = answers_not_yet_placed(consultation, [i for i in ids if i not in themes_of], in_force)
    primary = {answer_id: labels[0] for answer_id, labels in themes_of.items() if labels}
    drawn = Counter(primary.values())
    # Largest first by the answers drawn, as the table beside the map counts them; Other last.
    ordered = sorted(question_themes.themes, key=lambda t: (t.is_other, -drawn[t.label])) if question_themes else []
    keys = {
        theme.label: MapTheme(theme.label, n, str(theme.id), str((n - 1) % MAP_COLOURS), SHAPES[(n - 1) % len(SHAPES)])
        for n, theme in enumerate(ordered, start=1)
    }
    no_theme = MapTheme(NO_THEME, None, "none", "none", "ring")
    waiting = MapTheme(NOT_ANALYSED, None, "", "waiting", "hollow-square")
    points = []
    for (answer_id, reference, _, _), (x, y) in zip(rows, placed, strict=True):
        if answer_id in primary:
            key = keys.get(primary[answer_id], no_theme)
        else:
            key = waiting if answer_id in not_analysed else no_theme
        points.append(MapPoint(answer_id, reference, f"{x:.2f}", f"{y:.2f}", key))
    themes = []
    for key in [*keys.values(), no_theme, waiting]:
        members = [(float(p.x), float(p.y)) for p in points if p.theme is key]
        if members:
            mean_x = sum(x for x, _ in members) / len(members)
            mean_y = sum(y for _, y in members) / len(members)
            themes.append(replace(key, count=len(members), x=f"{mean_x:.0f}", y=f"{mean_y:.0f}"))
    return {"points": points, "themes": themes, "total": len(answer_ids), "run": run}
