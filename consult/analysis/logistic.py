"""Logistic regressions for the mapping, in plain numpy and scipy: many at once, and Platt scaling.

Kept apart from `consult.analysis.mapping` so that the decisions there read without the
optimisation here. Everything is deterministic: the same input gives the same weights.
"""

from __future__ import annotations

import numpy as np


def sigmoid(values: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x), through tanh so that large scores of either sign do not overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * values))


def balanced(targets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weights rescaled so each theme's positives and negatives weigh as much (scikit-learn's
    class_weight="balanced", with sample weights)."""
    positive = (weights * targets).sum(axis=0)
    negative = (weights * (1 - targets)).sum(axis=0)
    total = positive + negative
    scale_positive = np.divide(total, 2 * positive, out=np.zeros_like(total), where=positive > 0)
    scale_negative = np.divide(total, 2 * negative, out=np.zeros_like(total), where=negative > 0)
    return weights * (targets * scale_positive + (1 - targets) * scale_negative)


def fit_logistic(
    inputs: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray,
    *,
    regularisation: float,
    tolerance: float,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One L2-regularised logistic regression per column of `targets`, all fitted together.

    Minimises sum(weights * log-loss) + |w|^2 / (2C) for each theme, as scikit-learn's
    LogisticRegression does; returns weights (themes x dims) and biases (themes). `start` (a
    previous fit's result) only shortens the search: the optimum is the same.
    """
    from scipy.optimize import minimize

    dims, themes = inputs.shape[1], targets.shape[1]
    balanced_weights = balanced(targets, weights)

    def loss(parameters: np.ndarray) -> tuple[float, np.ndarray]:
        coefficients = parameters[: dims * themes].reshape(dims, themes)
        bias = parameters[dims * themes :]
        scores = inputs @ coefficients + bias
        # log(1 + e^s) - y*s; logaddexp stays finite for large scores
        losses = np.logaddexp(0.0, scores) - targets * scores
        residual = balanced_weights * (sigmoid(scores) - targets)
        value = float((balanced_weights * losses).sum() + (coefficients**2).sum() / (2 * regularisation))
        gradient = np.concatenate([(inputs.T @ residual + coefficients / regularisation).ravel(), residual.sum(axis=0)])
        return value, gradient

    initial = np.zeros(dims * themes + themes) if start is None else np.concatenate([start[0].T.ravel(), start[1]])
    result = minimize(loss, initial, jac=True, method="L-BFGS-B", options={"maxiter": 1000, "ftol": tolerance})
    coefficients = result.x[: dims * themes].reshape(dims, themes)
    return coefficients.T.copy(), result.x[dims * themes :].copy()


def fit_sigmoid(scores: np.ndarray, outcomes: np.ndarray) -> tuple[float, float] | None:
    """Platt scaling: (a, b) with P = sigmoid(a * score + b), or None when the outcomes are all
    alike or the fitted slope is not positive (scores that rank backwards calibrate nothing)."""
    from scipy.optimize import minimize

    if len(scores) == 0 or outcomes.min() == outcomes.max():
        return None
    # Platt's targets: a little short of 0 and 1, so that perfect separation stays finite.
    positives, negatives = outcomes.sum(), len(outcomes) - outcomes.sum()
    soft = np.where(outcomes > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))

    def loss(parameters: np.ndarray) -> tuple[float, np.ndarray]:
        z = parameters[0] * scores + parameters[1]
        residual = sigmoid(z) - soft
        value = float((np.logaddexp(0.0, z) - soft * z).sum())
        return value, np.array([(residual * scores).sum(), residual.sum()])

    result = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    slope, intercept = float(result.x[0]), float(result.x[1])
    return (slope, intercept) if slope > 0 else None
