"""Matrix factorisation for implicit feedback, trained with the BPR loss in PyTorch.

Explained in chapter "Personalised recommendation" (book/05_applications/recommendation).
:func:`bpr_loss` and :func:`bpr_grad` have the same names and signatures in
:mod:`companion.tf.recsys`; the NumPy reference with the gradient derived by hand is
:mod:`companion.maths.recsys`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import ArrayLike

from companion.maths.recsys import check_triples, sample_negatives
from companion.torch.autodiff import grad_of_sum

__all__ = ["BPRConfig", "MatrixFactorization", "bpr_grad", "bpr_loss", "fit_bpr"]


def _objective(
    U: torch.Tensor, V: torch.Tensor, b: torch.Tensor, users: torch.Tensor,
    pos: torch.Tensor, neg: torch.Tensor, l2: float,
) -> torch.Tensor:  # fmt: skip
    # (T,) score differences x_ui - x_uj; softplus(-d) = -log sigmoid(d), stable.
    d = (U[users] * (V[pos] - V[neg])).sum(dim=1) + b[pos] - b[neg]
    return torch.nn.functional.softplus(-d).mean() + 0.5 * l2 * (
        U.square().sum() + V.square().sum()
    )


def _tensors(
    U: ArrayLike, V: ArrayLike, b: ArrayLike, users: ArrayLike, pos: ArrayLike,
    neg: ArrayLike, l2: float,
) -> tuple[list[torch.Tensor], list[torch.Tensor], float]:  # fmt: skip
    U, V, b, users, pos, neg, l2 = check_triples(U, V, b, users, pos, neg, l2)
    params = [torch.tensor(x, dtype=torch.float64) for x in (U, V, b)]
    return params, [torch.from_numpy(x) for x in (users, pos, neg)], l2


def bpr_loss(
    U: ArrayLike, V: ArrayLike, b: ArrayLike, users: ArrayLike, pos: ArrayLike,
    neg: ArrayLike, l2: float = 0.0,
) -> float:  # fmt: skip
    """The BPR loss of :func:`companion.maths.recsys.bpr_loss`, computed by PyTorch in float64.

    Examples
    --------
    >>> round(bpr_loss([[0.0]], [[0.0], [0.0]], [0.0, 0.0], [0], [0], [1]), 6)
    0.693147
    """
    params, idx, l2 = _tensors(U, V, b, users, pos, neg, l2)
    return float(_objective(*params, *idx, l2).detach())


def bpr_grad(
    U: ArrayLike, V: ArrayLike, b: ArrayLike, users: ArrayLike, pos: ArrayLike,
    neg: ArrayLike, l2: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Gradient of the BPR loss with respect to ``U``, ``V`` and ``b`` by PyTorch autograd.

    Returns
    -------
    dU, dV, db : numpy.ndarray, float64

    Examples
    --------
    >>> bpr_grad([[0.0]], [[0.0], [0.0]], [0.0, 0.0], [0], [0], [1])[2].tolist()
    [-0.5, 0.5]
    """
    U, V, b, users, pos, neg, l2 = check_triples(U, V, b, users, pos, neg, l2)
    idx = [torch.from_numpy(x) for x in (users, pos, neg)]
    grads = grad_of_sum(lambda *params: _objective(*params, *idx, l2), U, V, b)
    return grads  # type: ignore[return-value]


@dataclass(frozen=True)
class BPRConfig:
    """How :func:`fit_bpr` trains.

    Attributes
    ----------
    rank : int
        Factors per user and item.
    l2 : float
        Penalty on the factors, as in :func:`companion.maths.recsys.bpr_loss`.
    lr : float
        Adam's learning rate.
    epochs : int
        Full-batch steps; each draws fresh negatives for every observed interaction.
    init_std : float
        Standard deviation of the random initial factors.
    """

    rank: int = 8
    l2: float = 1e-4
    lr: float = 0.05
    epochs: int = 300
    init_std: float = 0.1

    def __post_init__(self) -> None:
        for name in ("rank", "epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int (got {name}={value!r})")
        for name, low in (("l2", 0.0), ("lr", 1e-12), ("init_std", 1e-12)):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= low):
                raise ValueError(
                    f"{name} must be a finite number >= {low:g} (got {name}={value!r})"
                )


class MatrixFactorization(torch.nn.Module):
    """Scores ``x_ui = U_u . V_i + b_i`` from user factors, item factors and item biases.

    Parameters
    ----------
    U : numpy.ndarray, shape (n_users, r)
    V : numpy.ndarray, shape (n_items, r)
    b : numpy.ndarray, shape (n_items,)
        Initial values (drawn by the caller, so that every device starts from the same numbers).

    Examples
    --------
    >>> mf = MatrixFactorization(np.ones((2, 1)), np.ones((3, 1)), np.zeros(3))
    >>> mf.scores().shape
    (2, 3)
    """

    def __init__(self, U: np.ndarray, V: np.ndarray, b: np.ndarray) -> None:
        super().__init__()
        self.U = torch.nn.Parameter(torch.tensor(U, dtype=torch.float64))
        self.V = torch.nn.Parameter(torch.tensor(V, dtype=torch.float64))
        self.b = torch.nn.Parameter(torch.tensor(b, dtype=torch.float64))

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Scores of the pairs ``(users[t], items[t])``, shape (T,)."""
        return (self.U[users] * self.V[items]).sum(dim=1) + self.b[items]

    @torch.no_grad()
    def scores(self) -> np.ndarray:
        """Every user's score for every item, shape (n_users, n_items), as NumPy."""
        return (self.U @ self.V.T + self.b).cpu().numpy()


def fit_bpr(
    train: ArrayLike,
    config: BPRConfig,
    rng: np.random.Generator,
    *,
    device: str = "cpu",
    cpu_threads: int | None = 1,
) -> tuple[MatrixFactorization, np.ndarray]:
    """Train matrix factorisation on observed interactions with BPR and Adam, full batch.

    All randomness (initial factors, negatives) comes from ``rng`` through NumPy, and the
    model works in float64, so a CPU and a GPU follow the same path to rounding.

    Parameters
    ----------
    train : array_like of bool, shape (n_users, n_items)
    config : BPRConfig
    rng : numpy.random.Generator
    device : str
        Where to train, e.g. ``rt.device``.
    cpu_threads : int or None
        PyTorch CPU threads during training, restored afterwards. The default, 1, suits these
        small tensors: on a busy machine, waking a second thread costs more than it saves.
        ``None`` keeps PyTorch's setting.

    Returns
    -------
    model : MatrixFactorization
        On ``device``, in evaluation mode.
    losses : numpy.ndarray, shape (epochs,)
        The loss at every step.

    Examples
    --------
    >>> R = np.eye(4, dtype=bool)
    >>> model, losses = fit_bpr(R, BPRConfig(rank=2, epochs=5), np.random.default_rng(0))
    >>> losses.shape, bool(losses[-1] < losses[0])
    ((5,), True)
    """
    if not isinstance(config, BPRConfig):
        raise TypeError(f"config must be a BPRConfig (got {type(config).__name__})")
    if cpu_threads is not None and (
        isinstance(cpu_threads, bool) or not isinstance(cpu_threads, int) or cpu_threads < 1
    ):
        raise ValueError(f"cpu_threads must be a positive int or None (got {cpu_threads!r})")
    previous = torch.get_num_threads()
    if cpu_threads is not None:
        torch.set_num_threads(cpu_threads)
    try:
        return _train(np.asarray(train, dtype=bool), config, rng, device)
    finally:
        torch.set_num_threads(previous)


def _train(
    R: np.ndarray, config: BPRConfig, rng: np.random.Generator, device: str
) -> tuple[MatrixFactorization, np.ndarray]:
    if R.ndim != 2:
        raise ValueError(f"train must be a (n_users, n_items) array (got shape {R.shape})")
    users, pos = np.nonzero(R)  # (T,) observed pairs
    if users.size == 0:
        raise ValueError("train must contain at least one interaction")
    n_users, n_items = R.shape
    init = [rng.normal(scale=config.init_std, size=s) for s in ((n_users, config.rank),
                                                              (n_items, config.rank))]  # fmt: skip
    model = MatrixFactorization(init[0], init[1], np.zeros(n_items)).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    u_t, i_t = (torch.from_numpy(x).to(device) for x in (users, pos))
    losses = np.empty(config.epochs)
    for epoch in range(config.epochs):
        j_t = torch.from_numpy(sample_negatives(R, users, rng)).to(device)
        loss = _objective(model.U, model.V, model.b, u_t, i_t, j_t, config.l2)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses[epoch] = loss.item()
    return model.eval(), losses
