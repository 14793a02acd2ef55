"""Simulated implicit feedback from a known low-rank model, so that what is learned can be checked.

Explained in chapter "Personalised recommendation" (book/05_applications/recommendation).

The preference of user u for item i is ``x_ui = U_u . V_i + b_i``: a rank-r personal part and
an item bias that every user shares (popularity). Each user picks ``per_user`` items without
replacement with probabilities proportional to ``exp(x_ui)`` (a Plackett-Luce model); some of
them are hidden for testing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ImplicitFeedback", "ImplicitFeedbackConfig", "simulate_implicit_feedback"]


@dataclass(frozen=True)
class ImplicitFeedbackConfig:
    """Sizes and scales of a simulated implicit-feedback data set.

    Attributes
    ----------
    n_users, n_items, rank : int
        Users, items and the rank r of the true preference model.
    per_user : int
        Items each user interacts with (clicks, purchases); fewer than ``n_items``.
    held_out : int
        Of those, how many per user are hidden for testing; fewer than ``per_user``.
    item_scale : float
        Standard deviation of the true item factors (user factors have 1).
    popularity_scale : float
        Standard deviation of the true item bias, the part of taste everyone shares.
    """

    n_users: int = 1000
    n_items: int = 400
    rank: int = 8
    per_user: int = 20
    held_out: int = 4
    item_scale: float = 0.6
    popularity_scale: float = 1.0

    def __post_init__(self) -> None:
        for name in ("n_users", "n_items", "rank", "per_user", "held_out"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int (got {name}={value!r})")
        if not self.held_out < self.per_user < self.n_items:
            raise ValueError(
                "need held_out < per_user < n_items "
                f"(got held_out={self.held_out}, per_user={self.per_user}, n_items={self.n_items})"
            )
        for name in ("item_scale", "popularity_scale"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0 (got {name}={value!r})")


@dataclass(frozen=True)
class ImplicitFeedback:
    """A simulated data set with its ground truth.

    Attributes
    ----------
    user_factors : numpy.ndarray, shape (n_users, r)
    item_factors : numpy.ndarray, shape (n_items, r)
    item_bias : numpy.ndarray, shape (n_items,)
    train, test : numpy.ndarray of bool, shape (n_users, n_items)
        Observed and held-out interactions; disjoint.
    """

    user_factors: np.ndarray
    item_factors: np.ndarray
    item_bias: np.ndarray
    train: np.ndarray
    test: np.ndarray

    def true_scores(self) -> np.ndarray:
        """The true preferences ``U V^T + b``, shape (n_users, n_items)."""
        return self.user_factors @ self.item_factors.T + self.item_bias


def simulate_implicit_feedback(
    config: ImplicitFeedbackConfig, rng: np.random.Generator
) -> ImplicitFeedback:
    """Draw true factors, then each user's interactions, then hide some of them for testing.

    Each user's ``per_user`` items are the top of ``x_ui + Gumbel noise``: by the Gumbel-max
    trick this is sampling without replacement with probabilities ``softmax(x_u)``.

    Parameters
    ----------
    config : ImplicitFeedbackConfig
    rng : numpy.random.Generator
        The only source of randomness (e.g. ``rt.rng()``).

    Returns
    -------
    ImplicitFeedback

    Examples
    --------
    >>> data = simulate_implicit_feedback(
    ...     ImplicitFeedbackConfig(n_users=5, n_items=30, rank=2, per_user=6, held_out=2),
    ...     np.random.default_rng(0),
    ... )
    >>> data.train.sum(axis=1).tolist(), data.test.sum(axis=1).tolist()
    ([4, 4, 4, 4, 4], [2, 2, 2, 2, 2])
    """
    if not isinstance(config, ImplicitFeedbackConfig):
        raise TypeError(f"config must be an ImplicitFeedbackConfig (got {type(config).__name__})")
    c = config
    U = rng.normal(size=(c.n_users, c.rank))
    V = rng.normal(scale=c.item_scale, size=(c.n_items, c.rank))
    b = rng.normal(scale=c.popularity_scale, size=c.n_items)
    noisy = U @ V.T + b + rng.gumbel(size=(c.n_users, c.n_items))
    chosen = np.argsort(-noisy, axis=1, kind="stable")[:, : c.per_user]  # (n_users, per_user)
    order = rng.permuted(np.tile(np.arange(c.per_user), (c.n_users, 1)), axis=1)
    rows = np.arange(c.n_users)[:, None]
    test, train = np.zeros((2, c.n_users, c.n_items), dtype=bool)
    test[rows, np.take_along_axis(chosen, order[:, : c.held_out], axis=1)] = True
    train[rows, np.take_along_axis(chosen, order[:, c.held_out :], axis=1)] = True
    return ImplicitFeedback(U, V, b, train, test)
