"""Scaling laws of language-model loss (Kaplan et al. 2020; Hoffmann et al. 2022) in NumPy.

Explained in chapter "Scaling laws and the economics of scale" (book/03_math/scaling_laws).

A law's constants live in a frozen dataclass with a ``source`` field. Its ``evaluate`` method
uses only ``+ - * / **``, so the same expression runs on NumPy arrays, PyTorch tensors and
TensorFlow tensors: :mod:`companion.torch.scaling` and :mod:`companion.tf.scaling`
differentiate it by autograd to check the derivatives written out here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array, check_instance

__all__ = [
    "CHINCHILLA",
    "CHINCHILLA_UNROUNDED",
    "EPOCH_REFIT",
    "KAPLAN",
    "ChinchillaLaw",
    "ComputeOptimum",
    "KaplanLaw",
    "compute_optimal",
    "frontier_loss",
    "frontier_loss_slope",
    "loss",
    "loss_grad",
    "tokens_per_parameter_rule",
]

#: Training FLOPs per parameter per token: 2 forward + 4 backward (Kaplan et al. 2020, 2.1).
FLOPS_PER_PARAM_TOKEN = 6.0


@dataclass(frozen=True)
class ChinchillaLaw:
    """``L(N, D) = E + A / N**alpha + B / D**beta`` in nats per token.

    Attributes
    ----------
    E, A, B, alpha, beta : float
        Positive constants: irreducible loss, and the scale and exponent of the parameter
        (N) and data (D, tokens) terms.
    source : str
        Where the constants were published.
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    source: str

    def __post_init__(self) -> None:
        for name in ("E", "A", "B", "alpha", "beta"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive finite number (got {name}={value!r})")
        if not self.source.strip():
            raise ValueError("source must name where the constants were published")

    def evaluate(self, N: Any, D: Any) -> Any:
        """The loss, by arithmetic operators only (NumPy, torch or TF inputs, no checks)."""
        return self.E + self.A / N**self.alpha + self.B / D**self.beta

    def allocation(self, C: Any, flops_per_param_token: float = FLOPS_PER_PARAM_TOKEN) -> Any:
        """Compute-optimal ``(N, D)`` for budget ``C`` (closed form, operators only)."""
        a, b = self.alpha, self.beta
        G = (a * self.A / (b * self.B)) ** (1 / (a + b))
        tokens_times_params = C / flops_per_param_token  # N * D
        N = G * tokens_times_params ** (b / (a + b))
        return N, tokens_times_params / N


@dataclass(frozen=True)
class KaplanLaw:
    """``L(N, D) = ((N_c / N)**(alpha_N / alpha_D) + D_c / D)**alpha_D`` (Kaplan et al. eq. 1.5).

    N counts non-embedding parameters; the loss is in nats per token on their WebText2 data.

    Attributes
    ----------
    N_c, alpha_N, D_c, alpha_D : float
        Positive constants.
    source : str
        Where the constants were published.
    """

    N_c: float
    alpha_N: float
    D_c: float
    alpha_D: float
    source: str

    def __post_init__(self) -> None:
        for name in ("N_c", "alpha_N", "D_c", "alpha_D"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive finite number (got {name}={value!r})")

    def evaluate(self, N: Any, D: Any) -> Any:
        """The loss, by arithmetic operators only (NumPy, torch or TF inputs, no checks)."""
        return ((self.N_c / N) ** (self.alpha_N / self.alpha_D) + self.D_c / D) ** self.alpha_D


#: Hoffmann et al. 2022, eq. (10): approach 3, constants rounded as printed in the paper.
CHINCHILLA = ChinchillaLaw(
    E=1.69,
    A=406.4,
    B=410.7,
    alpha=0.34,
    beta=0.28,
    source="Hoffmann et al. 2022, eq. (10) (approach 3, as printed)",
)
#: The same fit with the unrounded exponents of the paper's TeX source (Besiroglu et al. 2024).
CHINCHILLA_UNROUNDED = ChinchillaLaw(
    E=1.69,
    A=406.4,
    B=410.7,
    alpha=0.3392,
    beta=0.2849,
    source="Hoffmann et al. 2022, unrounded exponents as reported by Besiroglu et al. 2024",
)
#: Besiroglu, Erdil, Barnett, You 2024, "Chinchilla Scaling: A replication attempt".
EPOCH_REFIT = ChinchillaLaw(
    E=1.82,
    A=482.01,
    B=2085.43,
    alpha=0.348,
    beta=0.366,
    source="Besiroglu et al. 2024 (Epoch AI), refit of Hoffmann et al.'s approach 3",
)
#: Kaplan et al. 2020, eq. (1.5) with the joint fit of L(N, D) in their Table 2. The
#: single-variable fits of their section 1.2 (alpha_N = 0.076, N_c = 8.8e13 for L(N);
#: alpha_D = 0.095, D_c = 5.4e13 for L(D)) come from other runs and must not be mixed in.
KAPLAN = KaplanLaw(
    N_c=6.4e13,
    alpha_N=0.076,
    D_c=1.8e13,
    alpha_D=0.103,
    source="Kaplan et al. 2020, eq. (1.5) with the joint fit of their Table 2",
)


@dataclass(frozen=True)
class ComputeOptimum:
    """The compute-optimal allocation of a budget.

    Attributes
    ----------
    flops : float
        The budget C.
    parameters, tokens : float
        N and D with ``6 N D = C``.
    loss : float
        ``L(N, D)`` there, nats per token.
    """

    flops: float
    parameters: float
    tokens: float
    loss: float

    @property
    def tokens_per_parameter(self) -> float:
        """``D / N``."""
        return self.tokens / self.parameters


def loss(law: ChinchillaLaw | KaplanLaw, N: ArrayLike, D: ArrayLike) -> np.ndarray:
    """The law's loss at ``N`` parameters trained on ``D`` tokens (broadcasting).

    Parameters
    ----------
    law : ChinchillaLaw or KaplanLaw
    N, D : array_like
        Positive and finite.

    Returns
    -------
    numpy.ndarray
        Nats per token.

    Raises
    ------
    TypeError
        If ``law`` is not a :class:`ChinchillaLaw` or :class:`KaplanLaw`.
    ValueError
        If ``N`` or ``D`` is not positive and finite.

    Examples
    --------
    >>> round(float(loss(CHINCHILLA, 70e9, 1.4e12)), 3)
    1.937
    """
    check_instance("law", law, (ChinchillaLaw, KaplanLaw))
    return np.asarray(law.evaluate(as_positive(N, "N"), as_positive(D, "D")))


def loss_grad(
    law: ChinchillaLaw | KaplanLaw, N: ArrayLike, D: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """``(dL/dN, dL/dD)`` written out by hand.

    For Chinchilla ``dL/dN = -alpha A N**(-alpha-1)`` and ``dL/dD = -beta B D**(-beta-1)``.
    For Kaplan, with ``u = (N_c/N)**(alpha_N/alpha_D) + D_c/D``,
    ``dL/dN = -alpha_N u**(alpha_D-1) (N_c/N)**(alpha_N/alpha_D) / N`` and
    ``dL/dD = -alpha_D u**(alpha_D-1) D_c / D**2``.

    Parameters
    ----------
    law : ChinchillaLaw or KaplanLaw
    N, D : array_like
        Positive and finite; broadcast together.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Both negative: more parameters or more data lower the loss.

    Examples
    --------
    >>> dN, dD = loss_grad(CHINCHILLA, 1.0, 1.0)
    >>> round(float(dN), 3), round(float(dD), 3)
    (-138.176, -114.996)
    """
    check_instance("law", law, (ChinchillaLaw, KaplanLaw))
    N, D = np.broadcast_arrays(as_positive(N, "N"), as_positive(D, "D"))
    if isinstance(law, ChinchillaLaw):
        return (
            -law.alpha * law.A * N ** (-law.alpha - 1),
            -law.beta * law.B * D ** (-law.beta - 1),
        )
    ratio = (law.N_c / N) ** (law.alpha_N / law.alpha_D)
    outer = (ratio + law.D_c / D) ** (law.alpha_D - 1)
    return -law.alpha_N * outer * ratio / N, -law.alpha_D * outer * law.D_c / D**2


def compute_optimal(
    law: ChinchillaLaw, C: float, *, flops_per_param_token: float = FLOPS_PER_PARAM_TOKEN
) -> ComputeOptimum:
    """Minimise ``L(N, D)`` subject to ``6 N D = C``, in closed form.

    Substituting ``D = C / (6N)`` and setting the derivative in N to zero gives
    ``N* = G (C/6)**(beta/(alpha+beta))`` and ``D* = (C/6) / N*`` with
    ``G = (alpha A / (beta B))**(1/(alpha+beta))``.

    Parameters
    ----------
    law : ChinchillaLaw
    C : float
        Training compute in FLOP; positive.
    flops_per_param_token : float
        6 by default.

    Returns
    -------
    ComputeOptimum

    References
    ----------
    .. [1] Hoffmann et al., "Training Compute-Optimal Large Language Models", 2022, eq. (4).

    Examples
    --------
    >>> opt = compute_optimal(EPOCH_REFIT, 5.76e23)
    >>> round(opt.parameters / 1e9), round(opt.tokens / 1e12, 2)
    (72, 1.33)
    """
    if not isinstance(law, ChinchillaLaw):
        raise TypeError(f"law must be a ChinchillaLaw (got {type(law).__name__})")
    C = float(_one(as_positive(C, "C"), "C"))
    N, D = law.allocation(C, as_positive(flops_per_param_token, "flops_per_param_token"))
    return ComputeOptimum(
        flops=C, parameters=float(N), tokens=float(D), loss=float(law.evaluate(N, D))
    )


def frontier_loss(law: ChinchillaLaw, C: ArrayLike) -> np.ndarray:
    """Loss of the compute-optimal model, ``L*(C) = E + K (C/6)**(-gamma)``.

    Here ``gamma = alpha beta / (alpha + beta)`` and ``K = A G**(-alpha) + B G**beta``.

    Parameters
    ----------
    law : ChinchillaLaw
    C : array_like
        Training compute in FLOP; positive.

    Returns
    -------
    numpy.ndarray
        Nats per token, shaped like ``C``.

    Raises
    ------
    TypeError
        If ``law`` is not a :class:`ChinchillaLaw`.
    ValueError
        If ``C`` is not positive and finite.

    Examples
    --------
    >>> round(float(frontier_loss(EPOCH_REFIT, 5.76e23)), 3)
    1.976
    """
    check_instance("law", law, ChinchillaLaw)
    C = as_positive(C, "C")
    return np.asarray(law.evaluate(*law.allocation(C)))


def frontier_loss_slope(law: ChinchillaLaw, C: ArrayLike) -> np.ndarray:
    """``dL*/dC = -gamma (L*(C) - E) / C``: the loss bought by one more FLOP on the frontier.

    Parameters
    ----------
    law : ChinchillaLaw
    C : array_like
        Training compute in FLOP; positive.

    Returns
    -------
    numpy.ndarray
        Nats per token per FLOP (negative), shaped like ``C``.

    Raises
    ------
    TypeError
        If ``law`` is not a :class:`ChinchillaLaw`.
    ValueError
        If ``C`` is not positive and finite.

    Examples
    --------
    >>> float(frontier_loss_slope(CHINCHILLA, 1e24)) < 0
    True
    """
    check_instance("law", law, ChinchillaLaw)
    C = as_positive(C, "C")
    gamma = law.alpha * law.beta / (law.alpha + law.beta)
    return -gamma * (frontier_loss(law, C) - law.E) / C


def tokens_per_parameter_rule(C: float, tokens_per_parameter: float = 20.0) -> tuple[float, float]:
    """``(N, D)`` with ``D = r N`` and ``6 N D = C``: ``N = sqrt(C / (6 r))``.

    The rule of thumb read off Hoffmann et al.'s approaches 1 and 2 (about 20 tokens per
    parameter); it is not what their approach-3 constants give (see the chapter).

    Parameters
    ----------
    C : float
        Training compute in FLOP; positive.
    tokens_per_parameter : float
        The ratio ``r = D / N``; positive.

    Returns
    -------
    (float, float)
        Parameters N and tokens D.

    Raises
    ------
    ValueError
        If ``C`` or ``tokens_per_parameter`` is not positive and finite.

    Examples
    --------
    >>> N, D = tokens_per_parameter_rule(5.76e23)
    >>> round(N / 1e9, 1), round(D / 1e12, 2)
    (69.3, 1.39)
    """
    C = float(_one(as_positive(C, "C"), "C"))
    r = float(
        _one(as_positive(tokens_per_parameter, "tokens_per_parameter"), "tokens_per_parameter")
    )
    N = (C / (FLOPS_PER_PARAM_TOKEN * r)) ** 0.5
    return N, r * N


def as_positive(x: ArrayLike, name: str) -> np.ndarray:
    """``x`` as a float64 array, or a ValueError naming ``name`` if not all positive and finite."""
    arr = as_array(name, x, dtype=np.float64, finite=False)
    if arr.size == 0 or not (np.isfinite(arr).all() and (arr > 0).all()):
        raise ValueError(f"{name} must be positive and finite (got {name}={x!r})")
    return arr


def _one(arr: np.ndarray, name: str) -> np.ndarray:
    """``arr`` if it holds one number, else a ValueError naming ``name``."""
    if arr.size != 1:
        raise ValueError(f"{name} must be one number (got shape {arr.shape})")
    return arr
