"""``torch.optim.SGD`` and ``Adam`` driven step by step, to compare with the NumPy rules.

Explained in chapter "Optimisers" (book/03_math/optimisers). The same names and signatures as
:mod:`companion.tf.optim`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from numpy.typing import ArrayLike

from companion.maths.optim import AdamConfig, SGDConfig, as_start

__all__ = ["optimize"]


def optimize(
    config: SGDConfig | AdamConfig,
    grad_fn: Callable[[np.ndarray], ArrayLike],
    theta0: ArrayLike,
    steps: int,
    *,
    lr_schedule: Callable[[int], float] | None = None,
) -> np.ndarray:
    """Run PyTorch's own optimiser for ``steps`` updates; return the trajectory.

    The gradient at each point comes from ``grad_fn`` (NumPy), the same function the NumPy
    reference uses, so that a comparison measures the update rule alone.

    Parameters
    ----------
    config : SGDConfig or AdamConfig
        ``convention="torch"`` for SGD and ``eps_placement="corrected"`` for Adam: the
        rules ``torch.optim`` implements.
    grad_fn : callable
        Maps parameters (float64 array) to the gradient there.
    theta0 : array_like
        Starting point.
    steps : int
        Number of updates.
    lr_schedule : callable, optional
        ``t -> lr`` for step ``t``, written into the optimiser's ``param_groups``.

    Returns
    -------
    numpy.ndarray, shape (steps + 1, *theta0.shape)

    Raises
    ------
    ValueError
        If ``config`` asks for a convention ``torch.optim`` does not implement.

    Examples
    --------
    >>> path = optimize(SGDConfig(lr=0.25), lambda th: 2 * th, [1.0], steps=3)
    >>> path.ravel().tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    theta = as_start(config, theta0, steps)  # the NumPy reference's checks and messages
    p = torch.tensor(theta, requires_grad=True)
    opt = _make(config, p)
    path = [p.detach().numpy().copy()]
    for t in range(steps):
        if lr_schedule is not None:
            for group in opt.param_groups:
                group["lr"] = float(lr_schedule(t))
        grad = np.asarray(grad_fn(p.detach().numpy().copy()), dtype=np.float64)
        p.grad = torch.from_numpy(grad.copy())
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.stack(path)


def _make(config: SGDConfig | AdamConfig, p: torch.Tensor) -> torch.optim.Optimizer:
    if isinstance(config, SGDConfig):
        if config.convention != "torch":
            raise ValueError(
                "torch.optim.SGD implements convention='torch' "
                f"(got convention={config.convention!r})"
            )
        return torch.optim.SGD([p], lr=config.lr, momentum=config.momentum)
    if config.eps_placement != "corrected":
        raise ValueError(
            "torch.optim.Adam implements eps_placement='corrected' "
            f"(got eps_placement={config.eps_placement!r})"
        )
    return torch.optim.Adam([p], lr=config.lr, betas=(config.beta1, config.beta2), eps=config.eps)
