"""A multilayer perceptron's forward and backward pass in NumPy: the recursive delta rule.

Explained in chapter "Backpropagation" (book/03_math/backpropagation).

Layer ``l = 1..L`` computes ``z^l = a^{l-1} W^l^T + b^l`` on a batch of row vectors and
``a^l = sigma(z^l)`` (ReLU or sigmoid) for hidden layers; the last layer's ``z^L`` goes to
the loss directly (identity output for the squared error, softmax inside the cross-entropy).
Weights use PyTorch's layout, ``W^l`` of shape ``(n_l, n_{l-1})``; Keras stores the transpose.
The backward pass is ``delta^L = dL/dz^L`` and
``delta^l = (delta^{l+1} W^{l+1}) * sigma'(z^l)``, the row-vector form of
``delta^l = ((W^{l+1})^T delta^{l+1}) ⊙ sigma'(z^l)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.softmax import cross_entropy, cross_entropy_grad
from companion.maths.validate import (
    as_array,
    as_target,
    check_choice,
    check_instance,
    check_rng,
)

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "Backward",
    "Forward",
    "MLPConfig",
    "Params",
    "activation_grad",
    "backward",
    "flatten_params",
    "forward",
    "init_params",
    "loss_and_grads",
    "mlp_loss",
    "output_delta",
    "unflatten_params",
]

#: Hidden-layer activations the MLP knows.
ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid")
#: Losses: mean squared error on a linear output, cross-entropy on softmax of the logits.
LOSSES: tuple[str, ...] = ("mse", "cross_entropy")

#: One ``(W, b)`` pair per layer: ``W`` shape ``(n_l, n_{l-1})``, ``b`` shape ``(n_l,)``.
Params = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class MLPConfig:
    """Shape and choices of a fully connected network.

    Attributes
    ----------
    sizes : tuple of int
        ``(n_0, n_1, ..., n_L)``: inputs, hidden widths, outputs; at least two entries.
    activation : str
        Hidden activation, ``"relu"`` or ``"sigmoid"``.
    loss : str
        ``"mse"`` (mean over all N x n_L entries, as ``torch.nn.MSELoss`` and Keras'
        ``MeanSquaredError``) or ``"cross_entropy"`` (mean over the N examples).

    Examples
    --------
    >>> MLPConfig(sizes=(4, 8, 3)).n_layers
    2
    """

    sizes: tuple[int, ...]
    activation: str = "relu"
    loss: str = "cross_entropy"

    def __post_init__(self) -> None:
        sizes = tuple(self.sizes)
        if len(sizes) < 2 or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in sizes
        ):
            raise ValueError(
                f"sizes must hold at least two positive ints (got sizes={self.sizes!r})"
            )
        object.__setattr__(self, "sizes", tuple(int(n) for n in sizes))
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {ACTIVATIONS} (got activation={self.activation!r})"
            )
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES} (got loss={self.loss!r})")

    @property
    def n_layers(self) -> int:
        """Number of weight layers L."""
        return len(self.sizes) - 1


@dataclass(frozen=True)
class Forward:
    """What the forward pass keeps for the backward pass.

    Attributes
    ----------
    zs : tuple of numpy.ndarray
        Pre-activations ``z^1..z^L``, each of shape ``(N, n_l)``.
    activations : tuple of numpy.ndarray
        ``a^0 = X, a^1, ..., a^{L-1}``, the inputs of each layer.
    loss : float
        The mean loss.
    """

    zs: tuple[np.ndarray, ...]
    activations: tuple[np.ndarray, ...]
    loss: float


@dataclass(frozen=True)
class Backward:
    """Gradients of the loss and the deltas of every layer.

    Attributes
    ----------
    grads : list of (numpy.ndarray, numpy.ndarray)
        ``(dL/dW^l, dL/db^l)`` shaped like the parameters.
    deltas : tuple of numpy.ndarray
        ``delta^l = dL/dz^l``, each of shape ``(N, n_l)``, for ``l = 1..L``.
    """

    grads: Params
    deltas: tuple[np.ndarray, ...]


def init_params(config: MLPConfig, rng: np.random.Generator) -> Params:
    """Random weights scaled by ``1/sqrt(fan_in)`` (times ``sqrt 2`` for ReLU) and small biases.

    Parameters
    ----------
    config : MLPConfig
    rng : numpy.random.Generator

    Returns
    -------
    Params
        ``[(W^1, b^1), ..., (W^L, b^L)]``, ``W^l`` of shape ``(n_l, n_{l-1})``.

    References
    ----------
    .. [1] He, Zhang, Ren, Sun, "Delving Deep into Rectifiers", ICCV 2015 (the ReLU gain).

    Examples
    --------
    >>> [w.shape for w, _ in init_params(MLPConfig((4, 8, 3)), np.random.default_rng(0))]
    [(8, 4), (3, 8)]
    """
    if not isinstance(config, MLPConfig):
        raise TypeError(f"config must be an MLPConfig (got {type(config).__name__})")
    check_rng("rng", rng)
    gain = np.sqrt(2.0) if config.activation == "relu" else 1.0
    params = []
    for n_in, n_out in zip(config.sizes[:-1], config.sizes[1:], strict=True):
        w = rng.normal(size=(n_out, n_in)) * gain / np.sqrt(n_in)
        b = rng.normal(size=n_out) * 0.1  # non-zero, so that a gradient check sees db
        params.append((w, b))
    return params


def activation_grad(z: np.ndarray, activation: str) -> np.ndarray:
    """``sigma'(z)`` elementwise: ``[z > 0]`` for ReLU (0 at 0, as the frameworks), ``s(1 - s)``.

    Examples
    --------
    >>> activation_grad(np.array([-1.0, 0.0, 2.0]), "relu").tolist()
    [0.0, 0.0, 1.0]
    """
    check_choice("activation", activation, ACTIVATIONS)
    if not isinstance(z, np.ndarray):
        raise TypeError(f"z must be a numpy array (got {type(z).__name__})")
    as_array("z", z)
    if activation == "relu":
        return (z > 0).astype(np.float64)
    if activation == "sigmoid":
        s = _sigmoid(z)
        return s * (1 - s)
    raise ValueError(f"activation must be one of {ACTIVATIONS} (got activation={activation!r})")


def forward(params: Params, X: ArrayLike, Y: ArrayLike, config: MLPConfig) -> Forward:
    """Run the network on a batch and compute the mean loss, keeping what backward needs.

    Parameters
    ----------
    params : Params
    X : array_like, shape (N, n_0)
    Y : array_like
        ``(N, n_L)`` targets for ``"mse"``; ``(N,)`` class labels or ``(N, n_L)``
        distributions for ``"cross_entropy"``.
    config : MLPConfig

    Returns
    -------
    Forward

    Raises
    ------
    TypeError
        If ``params`` is not a list of ``(W, b)`` pairs or ``config`` not an :class:`MLPConfig`.
    ValueError
        For parameters, inputs or targets whose shapes do not fit ``config``.

    Examples
    --------
    >>> cfg = MLPConfig((2, 3, 2))
    >>> p = init_params(cfg, np.random.default_rng(0))
    >>> fw = forward(p, np.ones((5, 2)), np.zeros(5, dtype=int), cfg)
    >>> [z.shape for z in fw.zs]
    [(5, 3), (5, 2)]
    """
    x = _check_inputs(params, X, Y, config)
    a, zs, acts = x, [], [x]
    for layer, (w, b) in enumerate(params, start=1):
        z = a @ w.T + b  # (N, n_l)
        zs.append(z)
        if layer < config.n_layers:
            a = np.maximum(z, 0.0) if config.activation == "relu" else _sigmoid(z)
            acts.append(a)
    return Forward(zs=tuple(zs), activations=tuple(acts), loss=_loss(zs[-1], Y, config.loss))


def output_delta(z_out: np.ndarray, Y: ArrayLike, loss: str) -> np.ndarray:
    """``delta^L = dL/dz^L`` of the mean loss: ``2 (z - y) / (N n_L)`` or ``(softmax(z) - y) / N``.

    Examples
    --------
    >>> output_delta(np.array([[1.0, 2.0]]), np.array([[0.0, 2.0]]), "mse").tolist()
    [[1.0, 0.0]]
    """
    check_choice("loss", loss, LOSSES)
    shape = as_array("z_out", z_out, min_ndim=1, allow_empty=False).shape
    if loss == "mse" and not isinstance(z_out, np.ndarray):
        raise TypeError(f"z_out must be a numpy array (got {type(z_out).__name__})")
    _check_targets(Y, shape, loss)
    if loss == "mse":
        return 2.0 * (z_out - np.asarray(Y, dtype=np.float64)) / z_out.size
    if loss == "cross_entropy":
        return cross_entropy_grad(z_out, Y)
    raise ValueError(f"loss must be one of {LOSSES} (got loss={loss!r})")


def backward(params: Params, fwd: Forward, Y: ArrayLike, config: MLPConfig) -> Backward:
    """Backpropagation: ``delta^l = (delta^{l+1} W^{l+1}) * sigma'(z^l)`` from the output down.

    Parameters
    ----------
    params : Params
    fwd : Forward
        The result of :func:`forward` on the same parameters and batch.
    Y : array_like
        The targets given to :func:`forward`.
    config : MLPConfig

    Returns
    -------
    Backward
        ``dL/dW^l = delta^l^T a^{l-1}`` and ``dL/db^l = sum_n delta^l_n`` for every layer.

    References
    ----------
    .. [1] Rumelhart, Hinton, Williams, "Learning representations by back-propagating
       errors", Nature 323, 533-536 (1986).

    Examples
    --------
    >>> cfg = MLPConfig((2, 3, 2))
    >>> p = init_params(cfg, np.random.default_rng(0))
    >>> X, y = np.ones((5, 2)), np.zeros(5, dtype=int)
    >>> [g[0].shape for g in backward(p, forward(p, X, y, cfg), y, cfg).grads]
    [(3, 2), (2, 3)]
    """
    if not isinstance(config, MLPConfig):
        raise TypeError(f"config must be an MLPConfig (got {type(config).__name__})")
    check_instance("fwd", fwd, Forward)
    _check_params(params, config)
    if len(fwd.zs) != config.n_layers:
        raise ValueError(f"fwd has {len(fwd.zs)} layers, config {config.n_layers}")
    _check_targets(Y, np.shape(fwd.zs[-1]), config.loss)
    delta = output_delta(fwd.zs[-1], Y, config.loss)  # (N, n_L)
    deltas = [delta]
    for layer in range(config.n_layers - 1, 0, -1):  # hidden layers L-1, ..., 1
        w_next = params[layer][0]  # W^{l+1}, (n_{l+1}, n_l)
        delta = (delta @ w_next) * activation_grad(fwd.zs[layer - 1], config.activation)
        deltas.append(delta)
    deltas.reverse()  # delta^1, ..., delta^L
    grads = [(d.T @ a, d.sum(axis=0)) for d, a in zip(deltas, fwd.activations, strict=True)]
    return Backward(grads=grads, deltas=tuple(deltas))


def loss_and_grads(
    params: Params, X: ArrayLike, Y: ArrayLike, config: MLPConfig
) -> tuple[float, Params]:
    """The mean loss and its gradient for every ``(W, b)``: forward, then backward.

    Examples
    --------
    >>> cfg = MLPConfig((2, 3, 1), activation="sigmoid", loss="mse")
    >>> p = init_params(cfg, np.random.default_rng(0))
    >>> loss, grads = loss_and_grads(p, np.ones((4, 2)), np.zeros((4, 1)), cfg)
    >>> len(grads)
    2
    """
    fwd = forward(params, X, Y, config)
    return fwd.loss, backward(params, fwd, Y, config).grads


def mlp_loss(params: Params, X: ArrayLike, Y: ArrayLike, config: MLPConfig) -> float:
    """The mean loss only (what finite differences perturb).

    Examples
    --------
    >>> cfg = MLPConfig((2, 2), loss="cross_entropy")
    >>> zero = [(np.zeros((2, 2)), np.zeros(2))]
    >>> round(mlp_loss(zero, np.ones((3, 2)), np.array([0, 1, 0]), cfg), 6)  # log 2
    0.693147
    """
    return forward(params, X, Y, config).loss


def flatten_params(params: Params) -> np.ndarray:
    """All weights and biases in one float64 vector, layer by layer, ``W`` before ``b``.

    Examples
    --------
    >>> flatten_params([(np.ones((2, 3)), np.zeros(2))]).shape
    (8,)
    """
    _check_params(params)
    return np.concatenate([np.concatenate([w.ravel(), b.ravel()]) for w, b in params])


def unflatten_params(theta: ArrayLike, config: MLPConfig) -> Params:
    """Inverse of :func:`flatten_params` for the shapes of ``config``.

    Raises
    ------
    TypeError
        If ``config`` is not an :class:`MLPConfig`.
    ValueError
        If ``theta`` does not have exactly the number of parameters of ``config``.

    Examples
    --------
    >>> cfg = MLPConfig((3, 2))
    >>> [w.shape for w, _ in unflatten_params(np.arange(8.0), cfg)]
    [(2, 3)]
    """
    if not isinstance(config, MLPConfig):
        raise TypeError(f"config must be an MLPConfig (got {type(config).__name__})")
    as_array("theta", theta)
    vec = np.asarray(theta, dtype=np.float64)
    expected = sum(
        n_out * (n_in + 1) for n_in, n_out in zip(config.sizes[:-1], config.sizes[1:], strict=True)
    )
    if vec.ndim != 1 or vec.size != expected:
        raise ValueError(
            f"theta must be a vector of {expected} parameters for sizes {config.sizes} "
            f"(got shape {vec.shape})"
        )
    params, start = [], 0
    for n_in, n_out in zip(config.sizes[:-1], config.sizes[1:], strict=True):
        w = vec[start : start + n_out * n_in].reshape(n_out, n_in)
        start += n_out * n_in
        params.append((w, vec[start : start + n_out]))
        start += n_out
    return params


# --- helpers --------------------------------------------------------------------------------


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^-z), without overflow


def _loss(z_out: np.ndarray, Y: ArrayLike, loss: str) -> float:
    if loss == "mse":
        return float(np.mean((z_out - np.asarray(Y, dtype=np.float64)) ** 2))
    return float(cross_entropy(z_out, Y))


def _check_inputs(params: Params, X: ArrayLike, Y: ArrayLike, config: MLPConfig) -> np.ndarray:
    if not isinstance(config, MLPConfig):
        raise TypeError(f"config must be an MLPConfig (got {type(config).__name__})")
    _check_params(params, config)
    as_array("X", X, finite=False)
    x = np.asarray(X, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != config.sizes[0] or x.shape[0] == 0:
        raise ValueError(f"X must have shape (N, {config.sizes[0]}) with N >= 1 (got {x.shape})")
    if not np.isfinite(x).all():
        raise ValueError("X must be finite (found NaN or infinity)")
    n, k = x.shape[0], config.sizes[-1]
    _check_targets(Y, (n, k), config.loss)
    return x


def _check_params(params: object, config: MLPConfig | None = None) -> None:
    """``params`` a list of finite ``(W, b)`` pairs (of the shapes ``config`` gives)."""
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError(f"params must be a list of (W, b) pairs (got {type(params).__name__})")
    for layer, pair in enumerate(params, start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"params layer {layer} must be a pair (W, b) (got {pair!r:.60})")
        as_array(f"params layer {layer} W", pair[0])
        as_array(f"params layer {layer} b", pair[1])
    if config is None:
        return
    if len(params) != config.n_layers:
        raise ValueError(f"params has {len(params)} layers, config {config.n_layers}")
    for layer, (w, b) in enumerate(params, start=1):
        want = (config.sizes[layer], config.sizes[layer - 1])
        if np.shape(w) != want or np.shape(b) != want[:1]:
            raise ValueError(
                f"params layer {layer}: W must have shape {want} and b shape {want[:1]} "
                f"(got {np.shape(w)} and {np.shape(b)})"
            )


def _check_targets(Y: ArrayLike, shape: tuple[int, ...], loss: str) -> None:
    """``Y`` labels or distributions for ``shape`` logits, or (mse) values of that shape."""
    as_array("Y", Y, dtype=None)
    if loss == "cross_entropy":
        if len(shape) != 2:
            raise ValueError(f"Y needs 2-D logits (N, K) for cross_entropy (got shape {shape})")
        try:
            as_target(Y, shape)  # labels or distributions; raises with a clear message
        except ValueError as err:
            raise ValueError(f"Y: {err}") from None
    elif np.shape(Y) != tuple(shape):
        want = "(" + ", ".join(str(n) for n in shape) + ")"
        raise ValueError(
            f"Y must have shape {want} for loss='mse', that of the output z_out (got {np.shape(Y)})"
        )
