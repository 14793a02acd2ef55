"""Implicit-feedback recommendation in NumPy: ranking metrics, subspace angles, the BPR loss.

Explained in chapter "Personalised recommendation" (book/05_applications/recommendation);
:func:`recall_at_k` also scores the FAQ retrieval of chapter "A customer-service assistant"
(book/05_applications/customer_service). The simulated data with known true factors come
from :mod:`companion.data.implicit_feedback`.

Scores are ``x_ui = U_u . V_i + b_i``: user factors ``U`` (n_users, r), item factors ``V``
(n_items, r) and item biases ``b`` (n_items,).
"""

from __future__ import annotations

import sys

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from companion.maths.validate import as_array, check_rng

__all__ = [
    "bpr_grad",
    "bpr_loss",
    "check_triples",
    "popularity_scores",
    "principal_angles",
    "recall_at_k",
    "sample_negatives",
    "top_k",
]


def popularity_scores(train: ArrayLike) -> np.ndarray:
    """The baseline every recommender must beat: how often each item was chosen.

    Parameters
    ----------
    train : array_like of bool, shape (n_users, n_items)

    Returns
    -------
    numpy.ndarray, shape (n_users, n_items)
        The same item counts in every row.

    Examples
    --------
    >>> popularity_scores([[1, 0, 1], [0, 0, 1]]).tolist()
    [[1.0, 0.0, 2.0], [1.0, 0.0, 2.0]]
    """
    R = _as_matrix(train, "train")
    return np.tile(R.sum(axis=0, dtype=np.float64), (R.shape[0], 1))


def top_k(scores: ArrayLike, k: int, exclude: ArrayLike | None = None) -> np.ndarray:
    """The ``k`` highest-scoring items of each row, best first; ties go to the lower index.

    Parameters
    ----------
    scores : array_like, shape (n_users, n_items)
    k : int
        How many; at most the number of items not excluded in any row.
    exclude : array_like of bool, shape (n_users, n_items), optional
        Items never to recommend, e.g. those a user already has.

    Returns
    -------
    numpy.ndarray of int, shape (n_users, k)

    Raises
    ------
    ValueError
        If shapes differ or ``k`` is not in ``[1, allowed items]``.

    Examples
    --------
    >>> top_k([[0.1, 0.9, 0.5]], 2).tolist()
    [[1, 2]]
    >>> top_k([[0.1, 0.9, 0.5]], 2, exclude=[[False, True, False]]).tolist()
    [[2, 0]]
    """
    as_array("scores", scores, finite=False)
    S = np.array(scores, dtype=np.float64)
    if S.ndim != 2 or not np.isfinite(S).all():
        raise ValueError(f"scores must be a finite 2-D array (got shape {S.shape})")
    allowed = S.shape[1]
    if exclude is not None:
        mask = _as_matrix(exclude, "exclude", S.shape)
        allowed = int((~mask).sum(axis=1).min())
        S[mask] = -np.inf
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= allowed:
        raise ValueError(f"k must be an int in [1, {allowed}] (got k={k!r})")
    return np.argsort(-S, axis=1, kind="stable")[:, :k]


def recall_at_k(
    scores: ArrayLike, relevant: ArrayLike, k: int, exclude: ArrayLike | None = None
) -> float:
    """Mean over users of the share of their relevant items found in their top ``k``.

    ``recall@k = mean_u |top_k(u) ∩ relevant(u)| / |relevant(u)|`` over users with at least
    one relevant item. With one relevant item per row (FAQ retrieval) it is the share of
    queries whose answer is among the first ``k``.

    Parameters
    ----------
    scores : array_like, shape (n_users, n_items)
    relevant : array_like of bool, shape (n_users, n_items)
        The held-out interactions (or each query's correct answer).
    k : int
    exclude : array_like of bool, shape (n_users, n_items), optional
        Items not to rank (training interactions).

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        If shapes differ, no row has a relevant item, or ``k`` is out of range.

    Examples
    --------
    >>> recall_at_k([[0.9, 0.8, 0.1], [0.1, 0.2, 0.3]], [[0, 0, 1], [0, 0, 1]], k=1)
    0.5
    """
    top = top_k(scores, k, exclude)
    R = _as_matrix(relevant, "relevant", top.shape[:1] + np.shape(scores)[1:])
    counts = R.sum(axis=1)
    if not counts.any():
        raise ValueError("relevant must mark at least one item in some row")
    hits = np.take_along_axis(R, top, axis=1).sum(axis=1)
    rows = counts > 0
    return float(np.mean(hits[rows] / counts[rows]))


def principal_angles(A: ArrayLike, B: ArrayLike) -> np.ndarray:
    """Principal angles between the column spaces of ``A`` and ``B``, smallest first, in radians.

    With orthonormal bases ``Q_A``, ``Q_B``, the cosines of the angles are the singular values
    of ``Q_A^T Q_B``; small angles are taken from their sines, the singular values of
    ``Q_B - Q_A Q_A^T Q_B``, which rounding does not flatten. Zero angles mean a shared
    direction; all angles zero (equal ranks) mean the same subspace, whatever the bases.

    Parameters
    ----------
    A : array_like, shape (n, p)
    B : array_like, shape (n, q)
        Both of full column rank.

    Returns
    -------
    numpy.ndarray, shape (min(p, q),)

    Raises
    ------
    ValueError
        If the row counts differ or a matrix is not of full column rank.

    References
    ----------
    .. [1] Björck and Golub, "Numerical methods for computing angles between linear
       subspaces", Mathematics of Computation 27 (1973), 579-594.
    .. [2] Knyazev and Argentati, "Principal angles between subspaces in an A-based scalar
       product", SIAM Journal on Scientific Computing 23 (2002), 2008-2040.

    Examples
    --------
    >>> np.degrees(principal_angles([[1.0, 0], [0, 1], [0, 0]], [[1.0], [1.0], [0]])).round(6)
    array([0.])
    """
    Q = []
    for name, M in (("A", A), ("B", B)):
        M = as_array(name, M, dtype=np.float64, finite=False)
        if M.ndim != 2 or not np.isfinite(M).all():
            raise ValueError(f"{name} must be a finite 2-D array (got shape {M.shape})")
        q, r = np.linalg.qr(M)
        diag = np.abs(np.diag(r))
        if diag.size < M.shape[1] or diag.min() <= 1e-10 * max(diag.max(), 1e-300):
            raise ValueError(f"{name} must have full column rank (got shape {M.shape})")
        Q.append(q)
    if Q[0].shape[0] != Q[1].shape[0]:
        raise ValueError(f"A and B must have the same rows (got {Q[0].shape[0]}, {Q[1].shape[0]})")
    Qa, Qb = sorted(Q, key=lambda q: -q.shape[1])  # Qb has the fewer columns
    cosines = np.linalg.svd(Qa.T @ Qb, compute_uv=False)  # descending: smallest angle first
    # arccos loses small angles to rounding (1 - 1e-16 -> 1.5e-8 rad); their sines are exact.
    sines = np.linalg.svd(Qb - Qa @ (Qa.T @ Qb), compute_uv=False)[::-1]  # ascending
    small = cosines**2 >= 0.5
    angles = np.arccos(np.clip(cosines, -1.0, 1.0))
    angles[small] = np.arcsin(np.clip(sines[small], 0.0, 1.0))
    return angles


def sample_negatives(train: ArrayLike, users: ArrayLike, rng: np.random.Generator) -> np.ndarray:
    """For each user in ``users``, an item drawn uniformly from those the user did not choose.

    Parameters
    ----------
    train : array_like of bool, shape (n_users, n_items)
        Every row must leave at least one item unchosen.
    users : array_like of int, shape (T,)
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray of int, shape (T,)

    Examples
    --------
    >>> sample_negatives([[1, 1, 0]], [0, 0], np.random.default_rng(0)).tolist()
    [2, 2]
    """
    R = _as_matrix(train, "train")
    if R.all(axis=1).any():
        raise ValueError("every user must leave at least one item unchosen in train")
    check_rng("rng", rng)
    ids = as_array("users", users, dtype=None)
    if ids.size and (
        not np.all(ids == np.round(ids)) or ids.max() >= R.shape[0] or ids.min() < -R.shape[0]
    ):
        raise ValueError(
            f"users must be row indices of train, in [0, {R.shape[0]}) (got {users!r})"
        )
    u = np.asarray(users, dtype=np.int64)
    neg = rng.integers(0, R.shape[1], size=u.shape)
    clash = R[u, neg]
    while clash.any():  # redraw the few that hit a chosen item
        neg[clash] = rng.integers(0, R.shape[1], size=int(clash.sum()))
        clash = R[u, neg]
    return neg


def bpr_loss(
    U: ArrayLike, V: ArrayLike, b: ArrayLike, users: ArrayLike, pos: ArrayLike,
    neg: ArrayLike, l2: float = 0.0,
) -> float:  # fmt: skip
    """Bayesian personalised ranking loss with L2 penalty, averaged over triples.

    ``L = -(1/T) sum_t log sigmoid(x_{u_t i_t} - x_{u_t j_t}) + (l2/2)(||U||^2 + ||V||^2)``,
    with ``x_ui = U_u . V_i + b_i``, positive items ``i_t`` and sampled negatives ``j_t``.

    Parameters
    ----------
    U : array_like, shape (n_users, r)
    V : array_like, shape (n_items, r)
    b : array_like, shape (n_items,)
    users, pos, neg : array_like of int, shape (T,)
    l2 : float
        Non-negative penalty on the factors (not on the bias).

    Returns
    -------
    float

    References
    ----------
    .. [1] Rendle, Freudenthaler, Gantner, Schmidt-Thieme, "BPR: Bayesian personalized ranking
       from implicit feedback", UAI 2009.

    Examples
    --------
    >>> round(bpr_loss([[0.0]], [[0.0], [0.0]], [0.0, 0.0], [0], [0], [1]), 6)  # log 2
    0.693147
    """
    U, V, b, users, pos, neg, l2 = check_triples(U, V, b, users, pos, neg, l2)
    d = np.einsum("tr,tr->t", U[users], V[pos] - V[neg]) + b[pos] - b[neg]  # (T,)
    return float(np.mean(np.logaddexp(0.0, -d)) + 0.5 * l2 * ((U**2).sum() + (V**2).sum()))


def bpr_grad(
    U: ArrayLike, V: ArrayLike, b: ArrayLike, users: ArrayLike, pos: ArrayLike,
    neg: ArrayLike, l2: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Gradient of :func:`bpr_loss` with respect to ``U``, ``V`` and ``b``, derived by hand.

    With ``d_t = x_{u_t i_t} - x_{u_t j_t}`` and ``g_t = -sigmoid(-d_t) / T``:
    ``dL/dU_u = sum_{t: u_t = u} g_t (V_{i_t} - V_{j_t}) + l2 U_u``,
    ``dL/dV_i = sum_{t: i_t = i} g_t U_{u_t} - sum_{t: j_t = i} g_t U_{u_t} + l2 V_i``,
    ``dL/db_i = sum_{t: i_t = i} g_t - sum_{t: j_t = i} g_t``.

    Parameters
    ----------
    U, V, b, users, pos, neg, l2
        As in :func:`bpr_loss`.

    Returns
    -------
    dU, dV, db : numpy.ndarray
        Shaped like ``U``, ``V`` and ``b``.

    Examples
    --------
    >>> dU, dV, db = bpr_grad([[0.0]], [[0.0], [0.0]], [0.0, 0.0], [0], [0], [1])
    >>> db.tolist()
    [-0.5, 0.5]
    """
    U, V, b, users, pos, neg, l2 = check_triples(U, V, b, users, pos, neg, l2)
    d = np.einsum("tr,tr->t", U[users], V[pos] - V[neg]) + b[pos] - b[neg]
    g = -expit(-d) / len(d)  # (T,) dL/dd_t
    dU, dV, db = l2 * U, l2 * V, np.zeros_like(b)
    np.add.at(dU, users, g[:, None] * (V[pos] - V[neg]))
    np.add.at(dV, pos, g[:, None] * U[users])
    np.add.at(dV, neg, -g[:, None] * U[users])
    np.add.at(db, pos, g)
    np.add.at(db, neg, -g)
    return dU, dV, db


def check_triples(
    U: ArrayLike, V: ArrayLike, b: ArrayLike, users: ArrayLike, pos: ArrayLike,
    neg: ArrayLike, l2: float,
) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Validate BPR inputs (shared by the NumPy, PyTorch and TensorFlow versions).

    Returns the arrays as float64 / int64 and ``l2`` as a float; raises ValueError naming the
    argument that is wrong.
    """
    for name, x in (("U", U), ("V", V), ("b", b)):
        as_array(name, x, dtype=np.float64)
    for name, x in (("users", users), ("pos", pos), ("neg", neg)):
        as_array(name, x, dtype=None, finite=False)
    U, V, b = (np.asarray(x, dtype=np.float64) for x in (U, V, b))
    if U.ndim != 2 or V.ndim != 2 or U.shape[1] != V.shape[1]:
        raise ValueError(
            f"U and V must be (n_users, r) and (n_items, r) (got {U.shape}, {V.shape})"
        )
    if b.shape != (V.shape[0],):
        raise ValueError(f"b must have shape ({V.shape[0]},) (got {b.shape})")
    idx = [np.asarray(x) for x in (users, pos, neg)]
    for name, arr, n in zip(("users", "pos", "neg"), idx, (U.shape[0],) + (V.shape[0],) * 2,
                            strict=True):  # fmt: skip
        if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(f"{name} must be a non-empty 1-D int array (got {arr!r})")
        if arr.shape != idx[0].shape or arr.min() < 0 or arr.max() >= n:
            raise ValueError(f"{name} must have {idx[0].size} entries in [0, {n}) (got {arr!r})")
    if (
        isinstance(l2, bool)
        or not isinstance(l2, (int, float))
        or not 0 <= l2 <= sys.float_info.max
    ):
        raise ValueError(f"l2 must be a finite number >= 0 (got l2={l2!r})")
    return U, V, b, *(a.astype(np.int64) for a in idx), float(l2)


def _as_matrix(x: ArrayLike, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    as_array(name, x, dtype=None, finite=False)
    arr = np.asarray(x)
    if arr.ndim != 2 or (shape is not None and arr.shape != tuple(shape)):
        want = f"shape {tuple(shape)}" if shape is not None else "a 2-D array"
        raise ValueError(f"{name} must be {want} (got shape {arr.shape})")
    if arr.dtype != bool and not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{name} must hold booleans or 0/1 (got dtype {arr.dtype})")
    return arr.astype(bool)
