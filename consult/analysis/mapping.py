"""Map answers to the themes officials signed off: each answer gets its themes, ranked, or Other.

How it works, and why:

1. Each reviewed theme is described by what officials left in it: its member answers (the
   members of the AI candidates it came from, plus answers an official moved into it) and the
   embedding of its label and description. Its prototype is the unit mean of the members'
   vectors nudged towards the label's vector by `label_weight`: the members are the strongest
   evidence of what a theme holds, and the label says what officials meant by it (a rename
   steers the theme without replacing its evidence). A theme an official created from nothing
   has only its label.
2. Each theme has its own threshold, on the same scale as `consult.analysis.themes`: halfway
   between how close its own members are to the prototype (all but the loosest 5%) and how close
   the other answers are on average. A theme with no members has no "own" closeness; the
   closest 5% of answers stand in for it. No threshold is ever below `min_similarity`, so a
   theme nothing resembles stays empty instead of taking its nearest strangers.
3. An answer joins every theme whose threshold it reaches, best fit first (fit = similarity minus
   threshold), keeping those within `secondary_margin` of the best fit, at most `max_themes`.
   An answer that reaches no threshold goes to Other: `matches` is empty for it.

Everything is plain numpy on the caller's vectors, with ties broken by theme key, so the same input
gives the same mapping. One thousand answers against forty themes take a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# How far a theme's label and description pull its prototype away from its members' mean.
LABEL_WEIGHT = 0.25
# The quantile at which a theme's own closeness is read, so a few loose members do not lower it.
OWN_QUANTILE = 0.05
# For a theme with no members: the share of answers that stands in for "its own" closeness.
LABEL_ONLY_TOP_SHARE = 0.05
# No answer joins a theme it is less similar to than this (cosine; unrelated sentences embedded
# by all-MiniLM-L6-v2 mostly score below it).
MIN_SIMILARITY = 0.25
# An answer also carries another fitting theme when that fit is within this of its best one.
SECONDARY_MARGIN = 0.05
MAX_THEMES_PER_ANSWER = 3


@dataclass(frozen=True)
class ThemeEvidence:
    """What describes one reviewed theme: `key` is the caller's id for it (a ReviewTheme's pk);
    `member_indexes` are the rows of the answer vectors that are its members (may be empty) and
    `label_vector` the embedding of its label and description, or None."""

    key: int
    member_indexes: tuple[int, ...] = ()
    label_vector: np.ndarray | None = None


@dataclass(frozen=True)
class ThemeMatch:
    key: int
    similarity: float  # cosine similarity of the answer to the theme's prototype


@dataclass(frozen=True)
class Mapping:
    """Per answer (in input order) its themes, best first; empty for Other. `thresholds` maps
    each theme key to the similarity an answer needed to join it; themes that had neither
    members nor a label are in `undescribed` and took no answers."""

    matches: list[list[ThemeMatch]]
    thresholds: dict[int, float]
    undescribed: list[int]

    @property
    def other_share(self) -> float:
        """The share of answers that fit no theme and go to Other."""
        if not self.matches:
            return 0.0
        return sum(1 for found in self.matches if not found) / len(self.matches)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _prototype(theme: ThemeEvidence, answers: np.ndarray, label_weight: float) -> np.ndarray | None:
    label = None if theme.label_vector is None else _unit(np.asarray(theme.label_vector, dtype=np.float32))
    if theme.member_indexes:
        centroid = _unit(answers[list(theme.member_indexes)].mean(axis=0))
        return _unit(centroid + label_weight * label) if label is not None else centroid
    return label


def map_to_themes(
    answer_vectors: np.ndarray,
    themes: list[ThemeEvidence],
    *,
    label_weight: float = LABEL_WEIGHT,
    min_similarity: float = MIN_SIMILARITY,
    secondary_margin: float = SECONDARY_MARGIN,
    max_themes: int = MAX_THEMES_PER_ANSWER,
) -> Mapping:
    """Map each answer to its reviewed themes (several allowed, best first) or to Other.

    `answer_vectors` has one embedding per answer (rows need not be unit length); `themes` are
    the reviewed themes other than Other, described by their members (rows of `answer_vectors`)
    and label (see the module docstring for the thresholds). Deterministic: the same input gives
    the same mapping.
    """
    raw = np.asarray(answer_vectors, dtype=np.float32)
    answers = _unit_rows(raw.reshape(len(raw), -1)) if raw.size else np.zeros((0, 0), dtype=np.float32)
    described: list[tuple[ThemeEvidence, np.ndarray]] = []
    undescribed: list[int] = []
    for theme in sorted(themes, key=lambda t: t.key):
        prototype = _prototype(theme, answers, label_weight) if len(answers) else None
        if prototype is None:
            undescribed.append(theme.key)
        else:
            described.append((theme, prototype))
    if not described:
        return Mapping([[] for _ in range(len(answers))], {}, undescribed)

    keys = [theme.key for theme, _ in described]
    similarity = answers @ np.stack([prototype for _, prototype in described]).T
    thresholds = np.empty(len(described), dtype=np.float32)
    for n, (theme, _) in enumerate(described):
        column = similarity[:, n]
        is_member = np.zeros(len(answers), dtype=bool)
        is_member[list(theme.member_indexes)] = True
        if is_member.any():
            closeness = float(np.quantile(column[is_member], OWN_QUANTILE))
            # With every answer a member there are no others to compare with: take unrelated as 0.
            background = float(column[~is_member].mean()) if (~is_member).any() else 0.0
        else:
            closeness = float(np.quantile(column, 1 - LABEL_ONLY_TOP_SHARE))
            background = float(column.mean())
        thresholds[n] = max((closeness + background) / 2, min_similarity)

    matches: list[list[ThemeMatch]] = []
    fit = similarity - thresholds
    for row, fits in zip(similarity, fit, strict=True):
        joined = np.flatnonzero(fits >= 0)
        if len(joined) == 0:
            matches.append([])
            continue
        # Best fit first; equal fits keep theme-key order (the stable sort over sorted keys).
        ranked = joined[np.argsort(-fits[joined], kind="stable")]
        best = fits[ranked[0]]
        kept = [n for n in ranked if fits[n] >= best - secondary_margin][:max_themes]
        matches.append([ThemeMatch(keys[n], float(row[n])) for n in kept])
    return Mapping(matches, {key: float(t) for key, t in zip(keys, thresholds, strict=True)}, undescribed)
