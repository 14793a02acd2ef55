"""``grad_of_sum``: the gradient of ``sum(f(*inputs))`` by PyTorch autograd, as NumPy arrays.

Explained in CONTRIBUTING.md, "The companion". Every twin that checks a hand-derived gradient
against autograd (losses, attention, attribution, diffusion, recsys, scaling, pretraining) asks
the same question: the gradient of a sum of outputs with respect to the inputs. This is that
question, asked once; :mod:`companion.tf.autodiff` asks it of TensorFlow under the same name
and signature, and both return the same NumPy arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from numpy.typing import ArrayLike

from companion.maths.validate import as_array, check_callable

__all__ = ["grad_of_sum"]


def _leaf(name: str, x: object) -> torch.Tensor:
    """A fresh float64 tensor holding ``x`` that autograd records (``x`` itself is left alone)."""
    if isinstance(x, torch.Tensor):
        return x.detach().to(dtype=torch.float64, copy=True).requires_grad_(True)
    return torch.tensor(as_array(name, x, dtype=np.float64, finite=False), requires_grad=True)


def grad_of_sum(
    f: Callable[..., torch.Tensor],
    *inputs: ArrayLike | torch.Tensor,
    weights: ArrayLike | torch.Tensor | None = None,
) -> np.ndarray | tuple[np.ndarray, ...]:
    """Gradient of ``sum(f(*inputs))`` (or ``sum(weights * f(*inputs))``) w.r.t. each input.

    Where each output depends on its own input only (a curve evaluated at many points, the
    probability of each row), the gradient of the sum holds every output's own derivative.
    With ``weights = dL/dy`` it is the vector-Jacobian product ``dL/dx`` of backpropagation.

    Parameters
    ----------
    f : callable
        Maps float64 tensors, one per input, to a tensor, using torch operations (a NumPy
        call inside ``f`` cuts the graph).
    *inputs : array_like or torch.Tensor
        The points. Each is copied to a float64 tensor (a tensor keeps its device); the
        caller's arrays and tensors are never modified, and a tensor's ``.grad`` is not touched.
    weights : array_like or torch.Tensor, optional
        Shaped like ``f``'s output: the weights of the sum (the upstream gradient ``dL/dy``).
        Default: all ones.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        float64 arrays shaped like the inputs: one array for one input, a tuple for several.
        An input that ``f``'s output does not depend on gets zeros.

    Raises
    ------
    TypeError
        If ``f`` is not callable or does not return a tensor, or no input is given.
    ValueError
        If an input is not numeric, ``weights`` is not shaped like the output, or the output
        depends on none of the inputs (``f`` left torch, e.g. through NumPy).

    Examples
    --------
    >>> grad_of_sum(lambda x: x**2, [1.0, -2.0]).tolist()
    [2.0, -4.0]
    >>> dx, dy = grad_of_sum(lambda x, y: x * y, [1.0, 2.0], [3.0, 4.0])
    >>> dx.tolist(), dy.tolist()
    ([3.0, 4.0], [1.0, 2.0])
    >>> grad_of_sum(torch.sin, 0.0, weights=2.0).tolist()  # d/dx of 2 sin(x) at 0
    2.0
    """
    check_callable("f", f)
    if not inputs:
        raise TypeError("inputs: give at least one input to differentiate with respect to")
    leaves = tuple(_leaf(f"inputs[{i}]", x) for i, x in enumerate(inputs))
    with torch.enable_grad():  # also inside a caller's torch.no_grad()
        out = f(*leaves)
        if not isinstance(out, torch.Tensor):
            raise TypeError(
                f"f must return a torch.Tensor computed from its inputs (got {type(out).__name__})"
            )
        if weights is None:
            target, upstream = out.sum(), None
        else:
            target, upstream = out, _weights(weights, out)
        grads: tuple = (None,) * len(leaves)
        if target.requires_grad:
            grads = torch.autograd.grad(target, leaves, grad_outputs=upstream, allow_unused=True)
    if all(g is None for g in grads):
        raise ValueError(
            "f's output does not depend on any input: compute it with torch operations on the "
            "tensors f is given"
        )
    arrays = tuple(
        np.zeros(tuple(x.shape)) if g is None else g.detach().cpu().numpy()
        for g, x in zip(grads, leaves, strict=True)
    )
    return arrays[0] if len(arrays) == 1 else arrays


def _weights(weights: ArrayLike | torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    if isinstance(weights, torch.Tensor):
        w = weights.detach().to(dtype=out.dtype, device=out.device)
    else:
        w = as_array("weights", weights, dtype=np.float64, finite=False)
        w = torch.tensor(w, dtype=out.dtype, device=out.device)
    if w.shape != out.shape:
        raise ValueError(
            f"weights must have the shape of f's output {tuple(out.shape)} (got {tuple(w.shape)})"
        )
    return w
