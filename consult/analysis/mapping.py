"""Map answers to the themes officials signed off: a calibrated multi-label classifier over the embeddings.

How it works, and why:

1. **Evidence.** Each reviewed theme is described by its positives (answers officials left in it,
   moved into it or confirmed in a check), its explicit negatives (answers officials took out of
   it or said in a check do not belong to it) and the embedding of its label and description.
   The positives of the other themes are implicit negatives: an answer an official placed in
   "Cost" says something about "Waiting times" too. An answer that is only known *not* to belong
   to one theme says nothing about the others, so it trains that theme alone.
2. **Scores.** Every theme with at least one positive gets a one-vs-rest logistic regression on
   the unit-length embeddings, with balanced class weights (a theme has a handful of positives
   against hundreds of negatives) and its label vector as one more positive example of weight
   `LABEL_WEIGHT` (and as a negative of the other themes), so a rename steers a theme without
   replacing its evidence. All themes are fitted at once by L-BFGS on one objective (the themes'
   losses are independent; `consult.analysis.logistic`), which is deterministic. On banking77
   this beats scikit-learn's default one-vs-rest logistic regression by 2 to 4 points of F1
   (docs/benchmarks.md).
3. **Calibration.** A classifier's raw scores are not probabilities, and balanced weights make
   them over-confident. The scores of the examples under `CV_FOLDS`-fold cross-validation
   (seeded; each example scored by a model that never saw it) are mapped to probabilities by one
   Platt sigmoid shared by all themes: a few examples per theme are too few for a sigmoid each,
   but hundreds of pooled (score, belongs) pairs fit two numbers well. With fewer than
   `MIN_CV_EXAMPLES` examples no cross-validation is possible; the model's own balanced
   probability is used as it is, which over-states confidence: such a theme set should be checked.
4. **Themes without positives.** A theme with only a label (created from nothing, or a framework
   theme without examples) is scored by the cosine similarity of the answer to its label, through
   a sigmoid: fitted, like the Platt sigmoid, on the examples' similarity to their themes' labels
   when other themes have examples and labels, else the defaults `SIMILARITY_CENTRE` (where the
   probability is 0.5) and `SIMILARITY_SLOPE`. Related labels are all fairly close to an answer
   about any of them, so among themes scored this way a theme whose label is further from the
   answer than the closest one is discounted by exp(-gap / `COMPETITION_WIDTH`). A theme whose
   positives are all it has (no negative of any kind) is scored the same way against the mean of
   its positives and its label (a "prototype").
5. **Decisions.** An answer's best theme is assigned when its probability reaches the
   *primary threshold*: 0.5, or lower when the cross-validated examples show that many answers
   which do belong to a theme get less (the threshold is then the probability that all but
   `OTHER_EXAMPLE_SHARE` of the examples reach, never under `MIN_PRIMARY_THRESHOLD`). Without
   answers that belong to no theme to learn from, "fits nothing" can only be measured against
   how the answers that fit score. Further themes are assigned at 0.5 (more likely in than out),
   best first, at most `MAX_THEMES_PER_ANSWER`. An answer with no theme goes to Other (`[]`).
   A theme scored by its examples also requires the answer to *resemble* them: its cosine
   similarity to the theme's prototype (the unit mean of its positives nudged towards its label)
   must reach the theme's resemblance threshold. A discriminative classifier only learns where
   one theme ends and another begins, so an answer unlike every theme can still get a high
   probability for the theme it is least unlike; the resemblance gate sends it to Other. The
   threshold is set per theme on the scale `consult.analysis.themes` uses, halfway between how
   close the theme's own examples are and how close the answers known *not* to belong to it
   (other themes' examples, answers taken out of it) are on average: similarities between
   unrelated texts are not zero, and how far apart "in" and "out" lie differs by theme and by
   embedding model. "How close its own examples are" is the `RESEMBLANCE_QUANTILE` quantile of
   their similarity, under the same cross-validation, to a prototype built without them, shrunk
   towards the same figure over all themes' examples as if that were `SHRINKAGE_EXAMPLES` more
   examples, since two or three examples say little on their own. Examples alone are a poor
   measure of how far the theme reaches: officials pick typical, often near-identical answers,
   so a gate at their loosest sends many answers on the subject to Other, and more so the more
   such examples there are. Halfway to the background leaves room for the
   answers that are on the subject without echoing the examples, while strangers (which are no
   closer to the theme than the other themes' answers) stay out.
6. **Uncertainty.** For each theme, how far its probability is from the threshold that decides
   it, as a share of the room on that side (0 = on the threshold, 1 = certain); an answer's
   uncertainty is one minus the smallest such margin. It is high exactly where one more label
   from an official could flip a decision, which is what `least_sure` should ask about; entropy
   would also rank answers that are confidently in two themes as unsure. Rows that are evidence
   already get a value like any other: the caller excludes them when it asks for checks.

The trained `Classifier` is a weight matrix, biases and thresholds (JSON-safe through `to_dict`);
`Classifier.predict` gives the same matches as `map_to_themes` for the same rows, so answers that
arrive later are placed exactly as a re-mapping would place them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from consult.analysis.logistic import fit_logistic, fit_sigmoid, sigmoid

# A theme's label vector counts as this many member answers (as a positive of its own theme and a
# negative of the others).
LABEL_WEIGHT = 1.0
# How far a label pulls the prototype of a theme scored by similarity away from its positives' mean.
PROTOTYPE_LABEL_WEIGHT = 0.25
# Inverse regularisation strength of the logistic regressions (scikit-learn's C), for unit-length
# vectors: weaker regularisation than the default 1.0 suits a handful of examples per theme.
REGULARISATION_C = 4.0
# L-BFGS stops when an iteration improves the loss by less than this share: far below what
# changes a decision, and a quarter faster than scipy's default.
FIT_TOLERANCE = 1e-7
# The cross-validated models only calibrate: a looser stop, from the full model's weights, suffices.
CV_TOLERANCE = 1e-5
CV_FOLDS = 5
MIN_CV_EXAMPLES = 6
# The share of the officials' own examples that would go to Other at the primary threshold.
OTHER_EXAMPLE_SHARE = 0.02
MIN_PRIMARY_THRESHOLD = 0.05
ASSIGN_THRESHOLD = 0.5
MAX_THEMES_PER_ANSWER = 3
# Default label-similarity sigmoid: P = sigmoid(SLOPE * (cosine - CENTRE)). With
# all-MiniLM-L6-v2, an answer and a short label that fits it mostly score 0.4 to 0.7 and
# unrelated sentences under 0.2.
SIMILARITY_CENTRE = 0.35
SIMILARITY_SLOPE = 12.0
# Among themes scored by similarity, a theme's probability is multiplied by
# exp(-(closest cosine - its cosine) / COMPETITION_WIDTH).
COMPETITION_WIDTH = 0.05
# An answer must be at least this close (cosine) to the prototype of a theme scored by its
# examples to join it, when there were too few examples to measure the closeness they have.
DEFAULT_RESEMBLANCE = 0.25
# How close a theme's examples are is read at this quantile of their cross-validated closeness: a
# handful of examples read at a lower one is judged by its single loosest, the noisiest figure there
# is, and on real answers that lets strangers in (tests/analysis/test_mapping.py).
RESEMBLANCE_QUANTILE = 0.25
# A theme's own examples' closeness is shrunk towards all themes' as if the latter were this many examples.
SHRINKAGE_EXAMPLES = 5
PROBABILITY_DECIMALS = 10
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ThemeEvidence:
    """What describes one reviewed theme: `key` is the caller's id for it (a ReviewTheme's pk);
    `member_indexes` are rows of the answer vectors that belong to it (officials left them in,
    moved them in or confirmed them), `excluded_indexes` rows that do not (officials took them
    out or said so in a check; an exclusion wins over membership), and `label_vector` the
    embedding of its label and description, or None."""

    key: int
    member_indexes: tuple[int, ...] = ()
    excluded_indexes: tuple[int, ...] = ()
    label_vector: np.ndarray | None = None


@dataclass(frozen=True)
class ThemeMatch:
    key: int
    probability: float  # calibrated P(answer belongs to the theme), 0..1


@dataclass
class Classifier:
    """A trained multi-label classifier over the embeddings; JSON-safe round trip.

    For theme n, P(row belongs) = sigmoid(unit(row) . weights[n] + biases[n]) (calibration is
    folded into the weights). `thresholds[n]` decides a further theme, `primary_threshold` an
    answer's best theme; `kinds[n]` says how the theme was scored: "examples" (logistic
    regression), "label" (similarity to its label) or "prototype" (similarity to its positives).
    An "examples" theme only takes rows whose cosine similarity to `prototypes[n]` reaches
    `resemblance_thresholds[n]`; among the others, `competition_width` discounts a theme far behind
    the closest (module docstring, steps 4 and 5).
    """

    keys: list[int]
    weights: np.ndarray
    biases: np.ndarray
    thresholds: np.ndarray
    primary_threshold: float = ASSIGN_THRESHOLD
    max_themes: int = MAX_THEMES_PER_ANSWER
    kinds: list[str] = field(default_factory=list)
    competition_width: float = COMPETITION_WIDTH
    prototypes: np.ndarray | None = None
    resemblance_thresholds: np.ndarray | None = None

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """P(row belongs to theme) for each row and theme: shape (rows, len(keys))."""
        rows = _unit_rows(np.asarray(vectors, dtype=np.float64).reshape(len(vectors), self.weights.shape[1]))
        if not len(rows) or not self.keys:
            return np.zeros((len(rows), len(self.keys)))
        probabilities = sigmoid(rows @ self.weights.T + self.biases)
        by_similarity = np.array([kind != "examples" for kind in self.kinds], dtype=bool)
        if by_similarity.sum() > 1 and self.competition_width > 0:
            # Labels of related themes are all fairly close to an answer about either: among the
            # themes scored by similarity, one far behind the closest is discounted.
            directions = self.weights[by_similarity]
            cosine = rows @ directions.T / np.linalg.norm(directions, axis=1)
            behind = cosine - cosine.max(axis=1, keepdims=True)
            probabilities[:, by_similarity] *= np.exp(behind / self.competition_width)
        return probabilities

    def resemblance(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine similarity of each row to each theme's prototype (0 for themes without one)."""
        rows = _unit_rows(np.asarray(vectors, dtype=np.float64).reshape(len(vectors), self.weights.shape[1]))
        if self.prototypes is None or not len(rows) or not self.keys:
            return np.zeros((len(rows), len(self.keys)))
        return rows @ self.prototypes.T

    def decide(self, vectors: np.ndarray) -> tuple[list[list[ThemeMatch]], np.ndarray]:
        """Each row's themes (best first; [] for Other) and its uncertainty (see the module docstring)."""
        # Rounded so that an answer placed alone gets what it got among many (the matrix products
        # may differ in the last bit with the batch's shape).
        probabilities = np.round(self.probabilities(vectors), PROBABILITY_DECIMALS)
        resemblance = np.round(self.resemblance(vectors), PROBABILITY_DECIMALS)
        gated = np.array([kind == "examples" for kind in self.kinds], dtype=bool) & (self.prototypes is not None)
        gates = (
            np.full(len(self.keys), DEFAULT_RESEMBLANCE)
            if self.resemblance_thresholds is None
            else self.resemblance_thresholds
        )
        matches: list[list[ThemeMatch]] = []
        uncertainty = np.zeros(len(probabilities))
        for row, (found, resembles) in enumerate(zip(probabilities, resemblance, strict=True)):
            # A theme scored by its examples is only open to answers that resemble them (step 5).
            is_open = ~gated | (resembles >= gates)
            eligible = np.where(is_open, found, 0.0)
            # Best first; equal probabilities keep key order (keys are sorted, the sort is stable).
            ranked = np.argsort(-eligible, kind="stable")
            needed = self.thresholds.copy()
            if len(ranked):
                needed[ranked[0]] = min(self.primary_threshold, needed[ranked[0]])
            chosen = [n for n in ranked if eligible[n] >= needed[n] and eligible[n] > 0][: self.max_themes]
            if chosen and chosen[0] != ranked[0]:
                chosen = []  # only reachable with a best theme under its threshold: nothing fits
            matches.append([ThemeMatch(self.keys[n], float(found[n])) for n in chosen])
            if len(found):
                uncertainty[row] = 1 - float(np.clip(_margins(found, needed).min(), 0, 1))
        return matches, uncertainty

    def predict(self, vectors: np.ndarray) -> list[list[ThemeMatch]]:
        """Each row's themes, best first; [] means Other."""
        return self.decide(vectors)[0]

    def to_dict(self) -> dict[str, Any]:
        """Plain lists and numbers, for a JSONField; `from_dict` rebuilds the same classifier."""
        return {
            "version": FORMAT_VERSION,
            "keys": [int(key) for key in self.keys],
            "weights": [[float(value) for value in row] for row in self.weights],
            "biases": [float(value) for value in self.biases],
            "thresholds": [float(value) for value in self.thresholds],
            "primary_threshold": float(self.primary_threshold),
            "max_themes": int(self.max_themes),
            "kinds": list(self.kinds),
            "competition_width": float(self.competition_width),
            "prototypes": None if self.prototypes is None else [[float(v) for v in row] for row in self.prototypes],
            "resemblance_thresholds": None
            if self.resemblance_thresholds is None
            else [float(value) for value in self.resemblance_thresholds],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Classifier:
        """The classifier `to_dict` described."""
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"unknown classifier format {data.get('version')!r}")
        keys = [int(key) for key in data["keys"]]
        weights = np.array(data["weights"], dtype=np.float64).reshape(len(keys), -1)
        return cls(
            keys=keys,
            weights=weights,
            biases=np.array(data["biases"], dtype=np.float64),
            thresholds=np.array(data["thresholds"], dtype=np.float64),
            primary_threshold=float(data["primary_threshold"]),
            max_themes=int(data["max_themes"]),
            kinds=list(data["kinds"]),
            competition_width=float(data["competition_width"]),
            prototypes=None
            if data["prototypes"] is None
            else np.array(data["prototypes"], dtype=np.float64).reshape(len(keys), -1),
            resemblance_thresholds=_stored_gates(data, len(keys)),
        )


def _stored_gates(data: dict[str, Any], count: int) -> np.ndarray | None:
    """The per-theme resemblance thresholds of a stored classifier; one stored before they were
    per theme had a single value for all."""
    if data.get("resemblance_thresholds") is not None:
        return np.array(data["resemblance_thresholds"], dtype=np.float64).reshape(count)
    if "resemblance_threshold" in data:
        return np.full(count, float(data["resemblance_threshold"]))
    return None


@dataclass(frozen=True)
class Mapping:
    """Per answer (in input order) its themes, best first; empty for Other. Themes with neither
    positives nor a label are in `undescribed` and took no answers; `uncertainty` has one value
    per answer, higher where the mapping is less sure (see the module docstring)."""

    matches: list[list[ThemeMatch]]
    classifier: Classifier | None
    undescribed: list[int]
    uncertainty: np.ndarray

    @property
    def other_share(self) -> float:
        """The share of answers that fit no theme and go to Other."""
        if not self.matches:
            return 0.0
        return sum(1 for found in self.matches if not found) / len(self.matches)


def _margins(values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """How far each value is from its threshold, as a share of the room on its side (0..1)."""
    room = np.where(values >= thresholds, 1 - thresholds, thresholds)
    return np.abs(values - thresholds) / np.maximum(room, 1e-9)


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


@dataclass
class _Training:
    """Rows to learn from: `inputs` (unit vectors), `targets` and `weights` (rows x themes; a zero
    weight means "unknown for this theme"), and for each row the answer row it came from (-1 for
    a label vector, which is never held out)."""

    inputs: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    source_rows: np.ndarray


def _training_set(answers: np.ndarray, themes: list[ThemeEvidence], labels: list[np.ndarray | None]) -> _Training:
    count = len(answers)
    members = [{i for i in theme.member_indexes if 0 <= i < count} for theme in themes]
    excluded = [{i for i in theme.excluded_indexes if 0 <= i < count} for theme in themes]
    rows = sorted(set().union(*members, *excluded))
    placed = set().union(*members)
    targets = np.zeros((len(rows), len(themes)))
    weights = np.zeros((len(rows), len(themes)))
    for r, row in enumerate(rows):
        for n in range(len(themes)):
            if row in excluded[n]:
                weights[r, n] = 1.0
            elif row in members[n]:
                targets[r, n] = weights[r, n] = 1.0
            elif row in placed:
                weights[r, n] = 1.0  # a positive of another theme: an implicit negative here
    inputs = [answers[rows]] if rows else []
    label_rows = [n for n, label in enumerate(labels) if label is not None]
    if label_rows:
        inputs.append(np.stack([labels[n] for n in label_rows]))
        label_targets = np.zeros((len(label_rows), len(themes)))
        label_targets[np.arange(len(label_rows)), label_rows] = 1.0
        targets = np.vstack([targets, label_targets])
        weights = np.vstack([weights, np.full((len(label_rows), len(themes)), LABEL_WEIGHT)])
    stacked = np.vstack(inputs) if inputs else np.zeros((0, answers.shape[1]))
    return _Training(stacked, targets, weights, np.array(rows + [-1] * len(label_rows), dtype=int))


def _folds(training: _Training, seed: int) -> np.ndarray:
    """A fold number per answer row (label rows get -1), spreading each theme's positives over the
    folds: rows are ordered by their first theme, shuffled within it, then dealt round-robin."""
    rng = np.random.default_rng(seed)
    answer_rows = np.flatnonzero(training.source_rows >= 0)
    first_theme = [int(np.argmax(training.targets[r])) if training.targets[r].any() else -1 for r in answer_rows]
    order = sorted(range(len(answer_rows)), key=lambda i: (first_theme[i], rng.random()))
    folds = np.full(len(training.source_rows), -1)
    count = min(CV_FOLDS, len(answer_rows))
    for position, i in enumerate(order):
        folds[answer_rows[i]] = position % count
    return folds


def _prototype(members: np.ndarray, label: np.ndarray | None) -> np.ndarray:
    """The unit mean of a theme's positives nudged towards its label; the label alone without them."""
    if not len(members):
        return label if label is not None else np.zeros(0)
    centre = _unit(members.mean(axis=0))
    return centre if label is None else _unit(centre + PROTOTYPE_LABEL_WEIGHT * label)


def _positives(training: _Training, theme: int, rows: np.ndarray | None = None) -> np.ndarray:
    """The answer vectors among `rows` (a mask; all rows by default) that are positives of `theme`."""
    mask = (training.targets[:, theme] > 0) & (training.source_rows >= 0)
    return training.inputs[mask if rows is None else mask & rows]


def _cross_validated_scores(
    training: _Training,
    modelled: np.ndarray,
    labels: list[np.ndarray | None],
    seed: int,
    full_fit: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, list[list[float]]]:
    """Each answer row's score for each modelled theme from a model that did not see it, a mask of
    the (row, theme) pairs that have a score and a known outcome, and per theme how close each
    held-out positive is to the theme's prototype built without it."""
    folds = _folds(training, seed)
    scores = np.zeros(training.targets.shape)
    known = np.zeros(training.targets.shape, dtype=bool)
    closeness: list[list[float]] = [[] for _ in labels]
    for fold in range(int(folds.max()) + 1):
        held_out = folds == fold
        kept = ~held_out
        targets, weights = training.targets[kept], training.weights[kept]
        # A theme with no positive (or no negative) left in this fold cannot be scored by it.
        can_fit = modelled & ((weights * targets).sum(axis=0) > 0) & ((weights * (1 - targets)).sum(axis=0) > 0)
        if not can_fit.any():
            continue
        fitted = np.flatnonzero(can_fit[modelled])
        start = (full_fit[0][fitted], full_fit[1][fitted])
        coefficients, bias = fit_logistic(
            training.inputs[kept],
            targets[:, can_fit],
            weights[:, can_fit],
            regularisation=REGULARISATION_C,
            tolerance=CV_TOLERANCE,
            start=start,
        )
        scores[np.ix_(held_out, can_fit)] = training.inputs[held_out] @ coefficients.T + bias
        known[np.ix_(held_out, can_fit)] = training.weights[np.ix_(held_out, can_fit)] > 0
        for theme in np.flatnonzero(can_fit):
            prototype = _prototype(_positives(training, theme, kept), labels[theme])
            closeness[theme].extend((_positives(training, theme, held_out) @ prototype).tolist())
    return scores, known, closeness


def _primary_threshold(probabilities: np.ndarray, targets: np.ndarray, rows: np.ndarray) -> float:
    """The probability all but OTHER_EXAMPLE_SHARE of the examples get for (the best of) their own
    themes under cross-validation, between MIN_PRIMARY_THRESHOLD and ASSIGN_THRESHOLD."""
    own = [float(probabilities[r][targets[r] > 0].max()) for r in rows if targets[r].any()]
    if not own:
        return ASSIGN_THRESHOLD
    return float(np.clip(np.quantile(own, OTHER_EXAMPLE_SHARE), MIN_PRIMARY_THRESHOLD, ASSIGN_THRESHOLD))


def map_to_themes(
    answer_vectors: np.ndarray,
    themes: list[ThemeEvidence],
    *,
    seed: int = 42,
    max_themes: int = MAX_THEMES_PER_ANSWER,
) -> Mapping:
    """Train on the evidence and map every row (deterministic for the same input).

    `answer_vectors` has one embedding per answer (rows need not be unit length); `themes` are the
    reviewed themes other than Other, in any order (themes are ordered by key). Each answer gets
    its themes, best first, at most `max_themes`, or none (Other). See the module docstring for
    the classifier, its calibration and the decision rule. `seed` fixes the cross-validation folds.
    """
    ordered = sorted({theme.key: theme for theme in themes}.values(), key=lambda theme: theme.key)
    labels_given = [t.label_vector for t in ordered if t.label_vector is not None]
    raw = np.asarray(answer_vectors, dtype=np.float64)
    if raw.ndim != 2:
        # No answers given as a flat empty array: the labels say how long a vector is.
        raw = raw.reshape(len(raw), np.asarray(labels_given[0]).size if labels_given and not raw.size else -1)
    answers = _unit_rows(raw)
    count = len(answers)

    def has_label(theme: ThemeEvidence) -> bool:
        return theme.label_vector is not None and np.asarray(theme.label_vector).size == answers.shape[1]

    described = [t for t in ordered if has_label(t) or any(0 <= i < count for i in t.member_indexes)]
    undescribed = [t.key for t in ordered if t not in described]
    if not described:
        return Mapping([[] for _ in range(count)], None, undescribed, np.zeros(count))

    labels = [_unit(np.asarray(t.label_vector, dtype=np.float64).ravel()) if has_label(t) else None for t in described]
    classifier = _train(answers, described, labels, seed, max_themes)
    matches, uncertainty = classifier.decide(answers)
    return Mapping(matches, classifier, undescribed, uncertainty)


def _train(
    answers: np.ndarray, themes: list[ThemeEvidence], labels: list[np.ndarray | None], seed: int, max_themes: int
) -> Classifier:
    training = _training_set(answers, themes, labels)
    positives = (training.weights * training.targets).sum(axis=0)
    negatives = (training.weights * (1 - training.targets)).sum(axis=0)
    has_members = np.array([training.targets[training.source_rows >= 0, n].any() for n in range(len(themes))])
    modelled = has_members & (positives > 0) & (negatives > 0)

    dims = answers.shape[1]
    weights = np.zeros((len(themes), dims))
    biases = np.zeros(len(themes))
    kinds = ["examples" if modelled[n] else ("prototype" if has_members[n] else "label") for n in range(len(themes))]
    primary = ASSIGN_THRESHOLD
    gates = np.full(len(themes), DEFAULT_RESEMBLANCE)
    prototypes = np.zeros((len(themes), dims))
    for n in np.flatnonzero(modelled):
        prototypes[n] = _prototype(_positives(training, n), labels[n])
    answer_rows = np.flatnonzero(training.source_rows >= 0)

    if modelled.any():
        coefficients, bias = fit_logistic(
            training.inputs,
            training.targets[:, modelled],
            training.weights[:, modelled],
            regularisation=REGULARISATION_C,
            tolerance=FIT_TOLERANCE,
        )
        platt = None
        if len(answer_rows) >= MIN_CV_EXAMPLES:
            scores, known, closeness = _cross_validated_scores(training, modelled, labels, seed, (coefficients, bias))
            gates = _resemblance_thresholds(training, prototypes, closeness, gates)
            platt = fit_sigmoid(scores[known], training.targets[known])
            if platt is not None:
                calibrated = np.where(known, sigmoid(platt[0] * scores + platt[1]), 0.0)
                primary = _primary_threshold(calibrated, training.targets * known, answer_rows)
        slope, intercept = platt or (1.0, 0.0)
        weights[modelled] = slope * coefficients
        biases[modelled] = slope * bias + intercept

    # Themes scored by similarity: to their label, or to their positives' mean and label.
    similarity_slope, similarity_centre = _similarity_sigmoid(answers, training, labels, answer_rows)
    for n in np.flatnonzero(~modelled):
        weights[n] = similarity_slope * _prototype(_positives(training, n), labels[n])
        biases[n] = -similarity_slope * similarity_centre
    return Classifier(
        keys=[theme.key for theme in themes],
        weights=weights,
        biases=biases,
        thresholds=np.full(len(themes), ASSIGN_THRESHOLD),
        primary_threshold=primary,
        max_themes=max_themes,
        kinds=kinds,
        prototypes=prototypes,
        resemblance_thresholds=gates,
    )


def _resemblance_thresholds(
    training: _Training, prototypes: np.ndarray, closeness: list[list[float]], defaults: np.ndarray
) -> np.ndarray:
    """How close (cosine) to each theme's prototype an answer must be to join it: halfway between
    how close its own examples are (cross-validated, shrunk towards all themes' examples) and how
    close the answers known not to belong to it are on average (module docstring, step 5)."""
    pooled_values = [value for values in closeness for value in values]
    if not pooled_values:
        return defaults
    pooled = float(np.quantile(pooled_values, RESEMBLANCE_QUANTILE))
    answer_rows = training.source_rows >= 0
    thresholds = defaults.copy()
    for n, values in enumerate(closeness):
        if not values:
            continue  # no held-out example: the theme keeps the default
        own = (len(values) * float(np.quantile(values, RESEMBLANCE_QUANTILE)) + SHRINKAGE_EXAMPLES * pooled) / (
            len(values) + SHRINKAGE_EXAMPLES
        )
        outside = answer_rows & (training.weights[:, n] > 0) & (training.targets[:, n] == 0)
        # With no answer known to be outside the theme there is nothing to compare with: take unrelated as 0.
        background = float((training.inputs[outside] @ prototypes[n]).mean()) if outside.any() else 0.0
        thresholds[n] = min(own, (own + background) / 2)
    return thresholds


def _similarity_sigmoid(
    answers: np.ndarray, training: _Training, labels: list[np.ndarray | None], answer_rows: np.ndarray
) -> tuple[float, float]:
    """(slope, centre) turning the cosine similarity to a label into a probability: fitted on the
    examples' similarity to the labels of themes they are known to be in or out of, when there
    are enough, else the defaults."""
    labelled = [n for n, label in enumerate(labels) if label is not None]
    if len(answer_rows) >= MIN_CV_EXAMPLES and len(labelled) >= 2:
        rows = training.source_rows[answer_rows]
        similarity = answers[rows] @ np.stack([labels[n] for n in labelled]).T
        known = training.weights[np.ix_(answer_rows, labelled)] > 0
        outcomes = training.targets[np.ix_(answer_rows, labelled)]
        fitted = fit_sigmoid(similarity[known], outcomes[known])
        if fitted is not None:
            slope, intercept = fitted
            return slope, -intercept / slope
    return SIMILARITY_SLOPE, SIMILARITY_CENTRE


def least_sure(mapping: Mapping | np.ndarray, count: int, *, exclude: Collection[int] = ()) -> list[int]:
    """Row indexes of the `count` answers the mapping is least sure of (most to learn from),
    least sure first; ties go to the lower row. Rows in `exclude` (already checked) are skipped.
    `mapping` may be the mapping's uncertainty alone, one value per row."""
    skipped = set(exclude)
    uncertainty = mapping.uncertainty if isinstance(mapping, Mapping) else mapping
    order = np.argsort(-np.asarray(uncertainty), kind="stable")
    return [int(row) for row in order if int(row) not in skipped][: max(count, 0)]


def random_rows(total: int, count: int, *, seed: int, exclude: Collection[int] = ()) -> list[int]:
    """`count` row indexes drawn at random (seeded), for an unbiased accuracy estimate; sorted.
    Rows in `exclude` are never drawn; fewer come back when fewer are left."""
    skipped = set(exclude)
    candidates = np.array([row for row in range(total) if row not in skipped], dtype=int)
    wanted = min(max(count, 0), len(candidates))
    drawn = np.random.default_rng(seed).choice(candidates, size=wanted, replace=False) if wanted else []
    return sorted(int(row) for row in drawn)


@dataclass(frozen=True)
class AccuracyEstimate:
    correct: int
    checked: int
    accuracy: float  # correct / checked
    low: float  # 95% Wilson score interval
    high: float


# The 97.5% point of the standard normal distribution: a two-sided 95% interval.
_Z95 = 1.959963984540054


def estimate_accuracy(outcomes: Sequence[bool]) -> AccuracyEstimate | None:
    """The share of checked answers the mapping got right, with its 95% Wilson score interval
    (sound for small samples and shares near 0 or 1); None when nothing was checked."""
    checked = len(outcomes)
    if not checked:
        return None
    correct = sum(1 for outcome in outcomes if outcome)
    share = correct / checked
    z2 = _Z95**2
    centre = (share + z2 / (2 * checked)) / (1 + z2 / checked)
    spread = _Z95 * math.sqrt(share * (1 - share) / checked + z2 / (4 * checked**2)) / (1 + z2 / checked)
    low = 0.0 if correct == 0 else max(0.0, centre - spread)
    high = 1.0 if correct == checked else min(1.0, centre + spread)
    return AccuracyEstimate(correct, checked, share, low, high)
