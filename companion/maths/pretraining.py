"""BERT's pre-training losses in NumPy: masked language modelling and next-sentence prediction.

Explained in chapter "Pre-training objectives" (book/03_math/pretraining_objectives).

Both losses are cross-entropies, built on :mod:`companion.maths.softmax`. The MLM loss is
averaged over the masked positions only: every other position carries the label
:data:`IGNORE_INDEX` (-100), the convention of PyTorch's ``cross_entropy`` and of Hugging Face
``transformers``. The next-sentence loss is a two-class cross-entropy on the ``[CLS]`` output,
averaged over the batch. BERT's pre-training loss is their sum.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.softmax import cross_entropy, log_softmax, softmax
from companion.maths.validate import as_array, as_logits, check_rng, finite_scalar, int_scalar

__all__ = [
    "IGNORE_INDEX",
    "mask_tokens",
    "mlm_loss",
    "mlm_loss_grad",
    "nsp_loss",
    "prediction_entropy",
    "pretraining_loss",
]

#: Label of a position that is not predicted (PyTorch's default ``ignore_index``).
IGNORE_INDEX = -100


def mlm_loss(logits: ArrayLike, labels: ArrayLike) -> float:
    """Masked-language-model loss: mean of ``-log p(true token)`` over the masked positions.

    Parameters
    ----------
    logits : array_like, shape (..., T, V) or (M, V)
        Scores over the vocabulary of V tokens at every position.
    labels : array_like of int, shape (..., T) or (M,)
        The original token at masked positions, :data:`IGNORE_INDEX` everywhere else.

    Returns
    -------
    float
        ``-(1/|M|) sum_{j in M} log softmax(z_j)[x_j]`` with M the masked positions.

    Raises
    ------
    ValueError
        If the shapes do not match, no position is masked, or a label lies outside
        ``[0, V)`` and is not :data:`IGNORE_INDEX`.

    References
    ----------
    .. [1] Devlin, Chang, Lee, Toutanova, "BERT: Pre-training of Deep Bidirectional
       Transformers for Language Understanding", NAACL 2019, section 3.1.

    Examples
    --------
    >>> z = np.zeros((1, 3, 4))  # uniform over 4 tokens at 3 positions
    >>> round(mlm_loss(z, [[-100, 2, -100]]), 6)  # log 4
    1.386294
    """
    z, y = _masked(logits, labels)
    return float(cross_entropy(z, y))


def mlm_loss_grad(logits: ArrayLike, labels: ArrayLike) -> np.ndarray:
    """Gradient of :func:`mlm_loss` in all logits: ``(p - y)/|M|`` where masked, else 0.

    Parameters
    ----------
    logits : array_like, shape (..., T, V)
    labels : array_like of int, shape (..., T)

    Returns
    -------
    numpy.ndarray
        Shaped like ``logits``; rows of unmasked positions are exactly zero.

    Raises
    ------
    ValueError
        As :func:`mlm_loss`.

    Examples
    --------
    >>> mlm_loss_grad(np.zeros((2, 2)), [-100, 1]).tolist()
    [[0.0, 0.0], [0.5, -0.5]]
    """
    z = as_logits(logits, min_ndim=2)
    y = as_mlm_labels(labels, z.shape)
    mask = y != IGNORE_INDEX
    grad = np.zeros_like(z)
    rows = softmax(z[mask])  # (M, V)
    rows[np.arange(len(rows)), y[mask]] -= 1.0
    grad[mask] = rows / len(rows)
    return grad


def nsp_loss(logits: ArrayLike, next_sentence_label: ArrayLike) -> float:
    """Next-sentence-prediction loss: two-class cross-entropy on ``[CLS]``, averaged over the batch.

    Parameters
    ----------
    logits : array_like, shape (B, 2)
        Scores for class 0 (sentence B follows A, "IsNext") and class 1 (B is a random
        sentence, "NotNext"), the label order of ``transformers``' ``BertForPreTraining``.
    next_sentence_label : array_like of int, shape (B,)
        0 or 1.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``logits`` is not (B, 2) or a label is not 0 or 1.

    Examples
    --------
    >>> round(nsp_loss([[2.0, 0.0]], [0]), 4)  # log(1 + e^-2)
    0.1269
    """
    z = as_logits(logits, min_ndim=2, exact_ndim=True)
    if z.shape[1] != 2:
        raise ValueError(f"NSP logits must have shape (B, 2) (got {z.shape})")
    as_array("next_sentence_label", next_sentence_label, dtype=None, finite=False)
    y = np.asarray(next_sentence_label)
    if y.shape != (z.shape[0],) or not np.isin(y, (0, 1)).all():
        raise ValueError(
            f"next_sentence_label must be {z.shape[0]} labels in {{0, 1}} (got {y.tolist()!r})"
        )
    return float(cross_entropy(z, y.astype(np.int64)))


def pretraining_loss(
    mlm_logits: ArrayLike,
    labels: ArrayLike,
    nsp_logits: ArrayLike,
    next_sentence_label: ArrayLike,
) -> float:
    """BERT's pre-training loss: :func:`mlm_loss` plus :func:`nsp_loss` (no minus sign, no 1/N).

    Parameters
    ----------
    mlm_logits : array_like, shape (B, T, V)
    labels : array_like of int, shape (B, T)
    nsp_logits : array_like, shape (B, 2)
    next_sentence_label : array_like of int, shape (B,)

    Returns
    -------
    float
        The value ``transformers.BertForPreTraining`` returns as ``loss``.

    Examples
    --------
    >>> round(pretraining_loss(np.zeros((1, 2, 4)), [[3, -100]], np.zeros((1, 2)), [1]), 4)
    2.0794
    """
    try:
        mlm = mlm_loss(mlm_logits, labels)
    except ValueError as err:
        raise ValueError(f"mlm_logits and labels (the MLM part): {err}") from None
    try:
        nsp = nsp_loss(nsp_logits, next_sentence_label)
    except ValueError as err:
        raise ValueError(f"nsp_logits and next_sentence_label (the NSP part): {err}") from None
    return mlm + nsp


def prediction_entropy(logits: ArrayLike, labels: ArrayLike) -> float:
    """Mean entropy ``-sum_k p_k log p_k`` of the predictions at the masked positions.

    This is *not* a training loss: it never looks at the true tokens (only at which positions
    are masked), so a model that confidently predicts the wrong token scores 0. It is here to
    show the difference from :func:`mlm_loss` (article 001, section 4.2, writes the MLM loss
    in this form).

    Parameters
    ----------
    logits : array_like, shape (..., T, V)
    labels : array_like of int, shape (..., T)
        Only ``labels != IGNORE_INDEX`` is used.

    Returns
    -------
    float

    Examples
    --------
    >>> round(prediction_entropy(np.zeros((1, 4)), [0]), 6)  # log 4, whatever the label
    1.386294
    """
    z, _ = _masked(logits, labels)
    return float(-(softmax(z) * log_softmax(z)).sum(axis=1).mean())


def mask_tokens(
    input_ids: ArrayLike,
    rng: np.random.Generator,
    *,
    mask_token_id: int,
    vocab_size: int,
    special_ids: tuple[int, ...] = (),
    mask_prob: float = 0.15,
    random_prob: float = 0.1,
    keep_prob: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """BERT's masking: choose ~15% of positions; of those 80% -> [MASK], 10% random, 10% kept.

    Parameters
    ----------
    input_ids : array_like of int, shape (B, T)
    rng : numpy.random.Generator
        The source of randomness (e.g. ``rt.rng()``).
    mask_token_id : int
        Id of ``[MASK]``.
    vocab_size : int
        Random replacements are drawn from ``[0, vocab_size)`` minus ``special_ids``.
    special_ids : tuple of int
        Ids never chosen for prediction (``[CLS]``, ``[SEP]``, ``[PAD]``).
    mask_prob : float
        Probability that a non-special position is chosen, in (0, 1).
    random_prob, keep_prob : float
        Shares of the chosen positions given a random token and left unchanged (0.1 each in
        BERT); the rest, ``1 - random_prob - keep_prob``, show ``[MASK]``. Both 0 masks every
        chosen position, e.g. to evaluate a model that cannot copy the answer.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The corrupted ids and the labels: the original id at chosen positions,
        :data:`IGNORE_INDEX` elsewhere. Both shaped like ``input_ids``.

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``, an id or size is not an int, or a
        probability is not a number.
    ValueError
        If ``mask_prob`` is not in (0, 1), ``random_prob`` or ``keep_prob`` is negative or
        their sum exceeds 1, or ids fall outside ``[0, vocab_size)``.

    Examples
    --------
    >>> ids = np.array([[1, 7, 8, 9, 2]])
    >>> x, y = mask_tokens(ids, np.random.default_rng(0), mask_token_id=3, vocab_size=10,
    ...                    special_ids=(1, 2), mask_prob=0.5)
    >>> bool(((y == IGNORE_INDEX) | (y == ids)).all() and (y[0, [0, 4]] == IGNORE_INDEX).all())
    True
    """
    check_rng("rng", rng)
    int_scalar("mask_token_id", mask_token_id, minimum=0)
    int_scalar("vocab_size", vocab_size, minimum=1)
    mask_prob = finite_scalar("mask_prob", mask_prob)
    random_prob = finite_scalar("random_prob", random_prob)
    keep_prob = finite_scalar("keep_prob", keep_prob)
    checked = as_array("input_ids", input_ids, dtype=None)
    if not np.all(checked == np.round(checked)):
        raise ValueError("input_ids must be integer token ids")
    as_array("special_ids", special_ids, dtype=None)
    ids = np.asarray(input_ids)
    if not 0 < mask_prob < 1:
        raise ValueError(f"mask_prob must lie in (0, 1) (got mask_prob={mask_prob})")
    if not (random_prob >= 0 and keep_prob >= 0 and random_prob + keep_prob <= 1):
        raise ValueError(
            "random_prob and keep_prob must be >= 0 with a sum <= 1 "
            f"(got random_prob={random_prob}, keep_prob={keep_prob})"
        )
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"input_ids must lie in [0, vocab_size={vocab_size})")
    candidates = ~np.isin(ids, special_ids)
    chosen = candidates & (rng.random(ids.shape) < mask_prob)
    labels = np.where(chosen, ids, IGNORE_INDEX)
    roll = rng.random(ids.shape)  # one draw per position decides mask / random / keep
    corrupted = ids.copy()
    mask_below, swap_below = 1.0 - random_prob - keep_prob, 1.0 - keep_prob  # 0.8, 0.9 in BERT
    corrupted[chosen & (roll < mask_below)] = mask_token_id
    swap = chosen & (roll >= mask_below) & (roll < swap_below)
    ordinary = np.setdiff1d(np.arange(vocab_size), special_ids)
    corrupted[swap] = rng.choice(ordinary, size=int(swap.sum()))
    return corrupted, labels


# --- validation ------------------------------------------------------------------------------


def as_mlm_labels(labels: ArrayLike, logits_shape: tuple[int, ...]) -> np.ndarray:
    """Validate MLM labels against the logits' shape; shared with the framework versions."""
    as_array("labels", labels, dtype=None, finite=False)
    y = np.asarray(labels)
    if y.shape != logits_shape[:-1] or (y.size and not np.issubdtype(y.dtype, np.integer)):
        raise ValueError(
            f"labels must be integers of shape {logits_shape[:-1]} for logits of shape "
            f"{logits_shape} (got shape {y.shape}, dtype {y.dtype})"
        )
    vocab = logits_shape[-1]
    bad = (y != IGNORE_INDEX) & ((y < 0) | (y >= vocab))
    if bad.any():
        raise ValueError(
            f"labels must lie in [0, {vocab}) or equal {IGNORE_INDEX} (got {y[bad][0]})"
        )
    if not (y != IGNORE_INDEX).any():
        raise ValueError(f"no masked position: every label is {IGNORE_INDEX}")
    return y


def _masked(logits: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the masked positions, (M, V), and their labels, (M,)."""
    z = as_logits(logits, min_ndim=2)
    y = as_mlm_labels(labels, z.shape)
    mask = y != IGNORE_INDEX
    return z[mask], y[mask].astype(np.int64)
