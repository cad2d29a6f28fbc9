"""Which answers a large question's themes are found on: a sample that grows with the question,
each answer in or out by its id alone, the same on every worker."""

import numpy as np
import pytest

from consult.analysis import sampling


def test_small_questions_are_clustered_whole_and_the_sample_grows_with_the_question() -> None:
    assert sampling.sample_size(500) == 500
    assert sampling.sample_size(sampling.FULL_CLUSTERING) == sampling.FULL_CLUSTERING
    sizes = [sampling.sample_size(n) for n in (50_000, 100_000, 300_000, 1_000_000)]
    assert sizes == sorted(sizes) and len(set(sizes)) == 4
    assert sampling.FULL_CLUSTERING < sizes[-1] < 100_000
    assert sampling.sample_rate(10_000) == 1.0
    assert sampling.sample_rate(1_000_000) == pytest.approx(sizes[-1] / 1_000_000)


def test_membership_depends_on_the_id_and_seed_only_and_has_the_asked_rate() -> None:
    ids = np.arange(1, 200_001, dtype=np.int64)
    chosen = sampling.in_sample(ids, 0.05, seed=42)
    assert chosen.mean() == pytest.approx(0.05, abs=0.003)
    # The same answer is in or out however it is asked: alone, in another order, in another chunk.
    shuffled = np.random.default_rng(1).permutation(ids)
    assert np.array_equal(sampling.in_sample(shuffled, 0.05, seed=42), chosen[shuffled - 1])
    assert np.array_equal(sampling.in_sample(ids[1000:2000], 0.05, seed=42), chosen[1000:2000])
    # Another seed draws another sample; consecutive ids are not drawn in runs.
    other = sampling.in_sample(ids, 0.05, seed=7)
    assert (chosen & other).mean() < 0.01
    assert sampling.in_sample(ids[:10], 1.0, seed=42).all()


def test_the_sample_is_spread_over_the_ids_not_bunched_in_a_range() -> None:
    ids = np.arange(1, 1_000_001, dtype=np.int64)
    chosen = sampling.in_sample(ids, 0.05, seed=42)
    per_tenth = chosen.reshape(10, -1).mean(axis=1)
    assert per_tenth.min() > 0.045 and per_tenth.max() < 0.055


def test_placement_slack_is_the_bar_the_sample_cleared() -> None:
    similarity = np.array([[0.9, 0.1], [0.35, 0.2], [0.1, 0.5], [0.2, 0.25]], dtype=np.float32)
    thresholds = np.array([0.4, 0.3], dtype=np.float32)
    # Placed: the first three; the second only because the cap drew it in, 0.05 below its bar.
    placed = np.array([True, True, True, False])
    assert sampling.placement_slack(similarity, thresholds, placed) == pytest.approx(-0.05)
    assert sampling.placement_slack(similarity, thresholds, np.array([True, False, True, False])) == 0.0


def test_a_sub_theme_needs_a_share_of_the_question_scaled_to_the_theme_sample() -> None:
    # A million answers: 0.02% is 200; on a sample of a fifth of the theme, 40.
    assert sampling.sub_theme_min_size(1_000_000, 0.2) == 40
    assert sampling.sub_theme_min_size(1_000_000, 1.0) == 200
    # Never below five, whatever the sample.
    assert sampling.sub_theme_min_size(20_000, 0.01) == 5
