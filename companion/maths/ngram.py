"""An n-gram language model and a diversity measure: the yardsticks of the small GPT.

Explained in chapter "A small GPT from scratch" (book/03_math/small_gpt).

:class:`NgramModel` is an add-k smoothed n-gram model, the baseline a neural language model
must beat in held-out perplexity; :func:`distinct_n` is the share of distinct n-grams among
generated tokens, the usual measure of how varied samples are. NumPy only.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["NgramModel", "distinct_n"]


class NgramModel:
    """An add-k smoothed n-gram model: ``p(w | h) = (c(h, w) + k) / (c(h) + k V)``.

    ``h`` is the ``order - 1`` tokens before ``w``. The first token of a stream has no
    prediction (as for the network, which needs one token to start from); earlier positions
    that a longer context would reach are filled with ``boundary_id``.

    Parameters
    ----------
    ids : array_like of int, shape (N,)
        The training stream of token ids, N >= 2.
    order : int
        1 (unigram), 2 (bigram), 3 (trigram), ...
    vocab_size : int
        V; every id must be below it.
    k : float
        Added to every count, > 0 (k = 1 is Laplace's add-one rule).
    boundary_id : int
        Fills the context before the start of a stream.

    Raises
    ------
    ValueError
        If an argument is out of range; the message names it.

    References
    ----------
    .. [1] Jurafsky and Martin, "Speech and Language Processing", 3rd ed. draft, chapter 3
       (n-gram language models, add-k smoothing).

    Examples
    --------
    >>> bigram = NgramModel([1, 2, 1, 2, 1, 3], order=2, vocab_size=4, k=1.0)
    >>> round(float(np.exp(bigram.log_probs([1, 2])[0])), 4)  # (2 + 1) / (3 + 4)
    0.4286
    """

    def __init__(
        self, ids: ArrayLike, *, order: int, vocab_size: int, k: float = 1.0, boundary_id: int = 0
    ) -> None:
        for name, value, low in (("order", order, 1), ("vocab_size", vocab_size, 1)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{name} must be an int >= {low} (got {name}={value!r})")
        if isinstance(k, bool) or not isinstance(k, (int, float)) or not 0 < k < math.inf:
            raise ValueError(f"k must be a positive finite number (got k={k!r})")
        if order > 1 and vocab_size**order >= 2**62:
            raise ValueError(
                f"order too large for vocab_size (got order={order}, vocab_size={vocab_size})"
            )
        self.order, self.vocab_size, self.k = int(order), int(vocab_size), float(k)
        self.boundary_id = self._ids([boundary_id], "boundary_id", 1)[0]
        context, joint = self._codes(self._ids(ids, "ids", 2))
        self._joint, self._joint_counts = np.unique(joint, return_counts=True)
        self._context, self._context_counts = np.unique(context, return_counts=True)

    def _ids(self, ids: ArrayLike, name: str, least: int) -> np.ndarray:
        a = np.asarray(ids)
        if a.ndim != 1 or a.size < least or not np.issubdtype(a.dtype, np.integer):
            raise ValueError(
                f"{name} must be a 1-D sequence of >= {least} integer ids (got {a!r:.60})"
            )
        if a.min() < 0 or a.max() >= self.vocab_size:
            raise ValueError(
                f"{name} must hold ids in [0, {self.vocab_size}) (got {a.min()}..{a.max()})"
            )
        return a.astype(np.int64)

    def _codes(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # context code of each target a[1:], and the (context, target) code
        pad = np.full(max(self.order - 2, 0), self.boundary_id, dtype=np.int64)
        padded = np.concatenate([pad, a])
        n_targets, context = len(a) - 1, np.zeros(len(a) - 1, dtype=np.int64)
        for j in range(self.order - 1):  # the j-th token of each context
            context = context * self.vocab_size + padded[j : j + n_targets]
        return context, context * self.vocab_size + a[1:]

    @staticmethod
    def _lookup(keys: np.ndarray, counts: np.ndarray, query: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
        return np.where(keys[at] == query, counts[at], 0)

    def log_probs(self, ids: ArrayLike) -> np.ndarray:
        """Natural-log probability of each of ``ids[1:]`` given the tokens before it, (N-1,)."""
        context, joint = self._codes(self._ids(ids, "ids", 2))
        c_joint = self._lookup(self._joint, self._joint_counts, joint)
        c_context = self._lookup(self._context, self._context_counts, context)
        return np.log(c_joint + self.k) - np.log(c_context + self.k * self.vocab_size)

    def perplexity(self, ids: ArrayLike) -> float:
        """``exp`` of the mean negative log-probability of ``ids[1:]``.

        Examples
        --------
        >>> round(NgramModel([0, 1, 0, 1, 0], order=1, vocab_size=2).perplexity([0, 1, 0]), 9)
        2.0
        """
        return float(np.exp(-self.log_probs(ids).mean()))


def distinct_n(sequences: Sequence[Sequence[int]], n: int) -> float:
    """Share of distinct n-grams among all n-grams of ``sequences`` (Li et al. 2016).

    1 when no n-gram repeats; near 0 for text that repeats itself.

    Raises
    ------
    TypeError
        If ``sequences`` is not a sequence of sequences, or ``n`` is not an int.
    ValueError
        If ``n`` < 1 or no sequence has ``n`` tokens.

    References
    ----------
    .. [1] Li, Galley, Brockett, Gao, Dolan, "A Diversity-Promoting Objective Function for
       Neural Conversation Models", NAACL 2016.

    Examples
    --------
    >>> distinct_n([[1, 2, 1, 2], [1, 2, 3]], n=2)
    0.6
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an int (got {type(n).__name__}: {n!r})")
    if n < 1:
        raise ValueError(f"n must be an int >= 1 (got n={n!r})")
    n = int(n)
    if isinstance(sequences, (str, bytes)) or not isinstance(sequences, Sequence):
        raise TypeError(
            f"sequences must be a list of token-id sequences (got {type(sequences).__name__})"
        )
    for s in sequences:
        if isinstance(s, (str, bytes)) or not isinstance(s, (Sequence, np.ndarray)):
            raise TypeError(
                f"sequences must hold sequences of token ids (got an item {type(s).__name__})"
            )
    grams = [tuple(s[i : i + n]) for s in sequences for i in range(len(s) - n + 1)]
    if not grams:
        raise ValueError(f"sequences must hold at least one sequence of >= n={n} tokens")
    return len(set(grams)) / len(grams)
