"""Reads for the topic map: a question's answers placed on a plane by their stored embeddings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from consult.models import (
    AnalysisRun,
    Answer,
    AnswerEmbedding,
    Consultation,
    Question,
)
from consult.queries.themes import answer_themes, consultation_themes

# The most answers the map draws: enough to see the shape, few enough to send and draw quickly.
MAP_POINTS = 2_000
# Colours the stylesheet defines for themes on the map (0 to 7; later themes share the last one,
# and 8, grey, is for answers that fit no theme).
MAP_COLOURS = 8


@dataclass(frozen=True)
class MapPoint:
    answer_id: int
    reference: str
    x: str
    y: str
    theme: str
    colour: int


@dataclass(frozen=True)
class MapTheme:
    label: str
    colour: int
    count: int
    x: str  # where the theme's answers sit on average, 0 (left) to 100 (right)
    y: str  # 0 (top) to 100 (bottom)


class TopicMap(TypedDict):
    points: list[MapPoint]
    themes: list[MapTheme]
    total: int  # answers with an embedding, of which at most MAP_POINTS are drawn
    run: AnalysisRun | None


def topic_map(consultation: Consultation, question: Question) -> TopicMap:
    """A two-dimensional map of a free-text question's answers: their stored embeddings (from the
    latest run's model) projected onto their two main directions of difference (PCA, in numpy),
    coloured by primary theme. Answers close on the map say similar things. An even sample of at
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

    in_force = consultation_themes(consultation).get(question.pk)
    order = {t.label: index for index, t in enumerate(in_force.themes)} if in_force else {}
    themes_of = answer_themes(consultation, [answer_id for answer_id, *_ in rows])
    points = []
    for (answer_id, reference, _, _), (x, y) in zip(rows, placed, strict=True):
        labels = themes_of.get(answer_id, [])
        theme = labels[0] if labels else "Fits no theme"
        points.append(MapPoint(answer_id, reference, f"{x:.2f}", f"{y:.2f}", theme, _map_colour(order, theme)))
    themes = []
    for label in [*order, "Fits no theme"]:
        members = [(float(p.x), float(p.y)) for p in points if p.theme == label]
        if members:
            mean_x = sum(x for x, _ in members) / len(members)
            mean_y = sum(y for _, y in members) / len(members)
            themes.append(MapTheme(label, _map_colour(order, label), len(members), f"{mean_x:.0f}", f"{mean_y:.0f}"))
    return {"points": points, "themes": themes, "total": len(answer_ids), "run": run}


def _map_colour(order: dict[str, int], label: str) -> int:
    """A theme's colour on the map: its place among the question's themes (later ones share the
    last colour), and MAP_COLOURS, grey, for answers that fit no theme."""
    return min(order[label], MAP_COLOURS - 1) if label in order else MAP_COLOURS
