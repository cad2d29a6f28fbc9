"""Which answers a large question's themes are found on, and how the rest are placed.

A question of up to `FULL_CLUSTERING` answers is clustered whole. A larger one is clustered on a
sample that grows with the question (`sample_size`: 20,000 answers, then 1.5% of the rest, so about
35,000 of a million), and every other answer is placed in the themes found, as late answers are.
Membership of the sample is a property of the answer's id and the run's seed (`in_sample`), so
any worker placing a chunk of answers can tell, without a list of the sample's ids, which of its
answers the clustering already placed.

Themes found on the sample need at least 0.1% of it; the views smaller than that are looked for
again inside each theme, on a sample of the theme's own answers (`sub_theme_sample_size`), where
a view held by 0.05% of the question is a few per cent of its theme (see `themes.py`'s
`discover_themes` and `consult.services.sub_themes`).
"""

from __future__ import annotations

import math

import numpy as np

FULL_CLUSTERING = 20_000
# Past FULL_CLUSTERING, this share of the further answers joins the sample.
SAMPLE_GROWTH = 0.015
# Sub-themes are looked for in questions of at least this many substantive answers, inside
# themes with at least SUB_THEME_MIN_MEMBERS answers.
SUB_THEMES_FROM = 20_000
SUB_THEME_MIN_MEMBERS = 400
# A theme's own answers are clustered whole up to this many, and sampled past it.
SUB_THEME_SAMPLE = 2_000
# The support a sub-theme needs, as a share of the whole question (0.02%: a view of 0.05% clears
# it with room to spare), and never fewer than this many answers.
SUB_THEME_MIN_SHARE = 0.0002
SUB_THEME_MIN_ANSWERS = 10
# At most this many sub-themes inside one theme: more would not be read.
MAX_SUB_THEMES = 12

# The finaliser of MurmurHash3 (64-bit): every bit of the id and seed moves every bit of the hash.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX_2 = np.uint64(0xC4CEB9FE1A85EC53)


def sample_size(count: int) -> int:
    """How many of `count` answers the themes are found on: all of them up to FULL_CLUSTERING,
    then FULL_CLUSTERING plus SAMPLE_GROWTH of the rest."""
    if count <= FULL_CLUSTERING:
        return count
    return min(count, FULL_CLUSTERING + math.ceil(SAMPLE_GROWTH * (count - FULL_CLUSTERING)))


def sample_rate(count: int) -> float:
    """The share of answers in the sample (1.0 when the question is clustered whole)."""
    return 1.0 if count <= FULL_CLUSTERING else sample_size(count) / count


def in_sample(ids: np.ndarray, rate: float, seed: int) -> np.ndarray:
    """Whether each answer id is in a sample of about `rate` of the answers, for this `seed`: the
    same answer is in or out wherever and whenever this is asked."""
    if rate >= 1.0:
        return np.ones(len(ids), dtype=bool)
    with np.errstate(over="ignore"):
        hashed = np.asarray(ids, dtype=np.uint64) + np.uint64(seed) * _GOLDEN
        hashed ^= hashed >> np.uint64(33)
        hashed *= _MIX_1
        hashed ^= hashed >> np.uint64(33)
        hashed *= _MIX_2
        hashed ^= hashed >> np.uint64(33)
    # The top 53 bits as a fraction in [0, 1).
    return (hashed >> np.uint64(11)).astype(np.float64) / float(2**53) < rate


def sub_theme_min_size(question_count: int, sampled_share: float) -> int:
    """The support a sub-theme needs among the theme answers it is found on, a share
    `sampled_share` of the theme's answers."""
    whole = max(SUB_THEME_MIN_ANSWERS, math.ceil(SUB_THEME_MIN_SHARE * question_count))
    return max(5, math.ceil(whole * sampled_share))


def placement_slack(similarity: np.ndarray, thresholds: np.ndarray, placed: np.ndarray) -> float:
    """How far below its nearest theme's threshold an answer of the sample was still placed (the
    cap on answers left without a theme draws the closest of them in, see `themes._settle`): 0.0
    when the cap did not bind. `similarity` holds the sample's cosine similarity to each theme,
    `placed` whether each answer of the sample has a theme. Answers outside the sample are held
    to the same bar, so that the share that fits no theme is the sample's."""
    if not len(similarity) or not similarity.shape[1]:
        return 0.0
    nearest = similarity.argmax(axis=1)
    slack = similarity[np.arange(len(similarity)), nearest] - thresholds[nearest]
    below = slack[placed & (slack < 0)]
    return float(below.min()) if len(below) else 0.0
