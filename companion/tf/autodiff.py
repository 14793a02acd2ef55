"""``grad_of_sum``: the gradient of ``sum(f(*inputs))`` by ``tf.GradientTape``, as NumPy arrays.

Explained in CONTRIBUTING.md, "The companion". Every twin that checks a hand-derived gradient
against TensorFlow (losses, attention, attribution, diffusion, recsys, scaling, pretraining)
asks the same question: the gradient of a sum of outputs with respect to the inputs. This is
that question, asked once; :mod:`companion.torch.autodiff` asks it of PyTorch under the same
name and signature, and both return the same NumPy arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array, check_callable
from companion.runtime import import_tensorflow

tf = import_tensorflow()

__all__ = ["grad_of_sum"]


def _constant(name: str, x: object) -> tf.Tensor:
    """A float64 tensor holding ``x``, to be watched (tensors are immutable: ``x`` is safe)."""
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return tf.cast(tf.convert_to_tensor(x), tf.float64)
    return tf.constant(as_array(name, x, dtype=np.float64, finite=False))


def grad_of_sum(
    f: Callable[..., tf.Tensor],
    *inputs: ArrayLike | tf.Tensor,
    weights: ArrayLike | tf.Tensor | None = None,
) -> np.ndarray | tuple[np.ndarray, ...]:
    """Gradient of ``sum(f(*inputs))`` (or ``sum(weights * f(*inputs))``) w.r.t. each input.

    Where each output depends on its own input only (a curve evaluated at many points, the
    probability of each row), the gradient of the sum holds every output's own derivative.
    With ``weights = dL/dy`` it is the vector-Jacobian product ``dL/dx`` of backpropagation.

    Parameters
    ----------
    f : callable
        Maps float64 tensors, one per input, to a tensor, using TensorFlow or Keras operations
        (a NumPy call inside ``f`` cuts the tape).
    *inputs : array_like or tf.Tensor
        The points. Each is converted to a float64 tensor that the tape watches; the caller's
        arrays, tensors and variables are never modified.
    weights : array_like or tf.Tensor, optional
        Shaped like ``f``'s output: the weights of the sum (the upstream gradient ``dL/dy``).
        Default: all ones.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        float64 arrays shaped like the inputs: one array for one input, a tuple for several.
        An input that ``f``'s output does not depend on gets zeros; sparse gradients (of
        ``tf.gather``) are made dense.

    Raises
    ------
    TypeError
        If ``f`` is not callable or does not return a tensor, or no input is given.
    ValueError
        If an input is not numeric, ``weights`` is not shaped like the output, or the output
        depends on none of the inputs (``f`` left TensorFlow, e.g. through NumPy).

    Examples
    --------
    >>> grad_of_sum(lambda x: x**2, [1.0, -2.0]).tolist()
    [2.0, -4.0]
    >>> dx, dy = grad_of_sum(lambda x, y: x * y, [1.0, 2.0], [3.0, 4.0])
    >>> dx.tolist(), dy.tolist()
    ([3.0, 4.0], [1.0, 2.0])
    >>> grad_of_sum(tf.sin, 0.0, weights=2.0).tolist()  # d/dx of 2 sin(x) at 0
    2.0
    """
    check_callable("f", f)
    if not inputs:
        raise TypeError("inputs: give at least one input to differentiate with respect to")
    tensors = [_constant(f"inputs[{i}]", x) for i, x in enumerate(inputs)]
    with tf.GradientTape() as tape:
        tape.watch(tensors)  # constants are not recorded unless watched
        out = f(*tensors)
        if not tf.is_tensor(out):
            raise TypeError(
                f"f must return a TensorFlow tensor computed from its inputs "
                f"(got {type(out).__name__})"
            )
        if weights is None:
            target, upstream = tf.reduce_sum(out), None  # the sum must be on the tape too
        else:
            target, upstream = out, _weights(weights, out)
    grads = tape.gradient(target, tensors, output_gradients=upstream)
    if all(g is None for g in grads):
        raise ValueError(
            "f's output does not depend on any input: compute it with TensorFlow operations on "
            "the tensors f is given"
        )
    arrays = tuple(
        np.zeros(tuple(x.shape)) if g is None else np.asarray(tf.convert_to_tensor(g))
        for g, x in zip(grads, tensors, strict=True)
    )
    return arrays[0] if len(arrays) == 1 else arrays


def _weights(weights: ArrayLike | tf.Tensor, out: tf.Tensor) -> tf.Tensor:
    if isinstance(weights, (tf.Tensor, tf.Variable)):
        w = tf.cast(tf.convert_to_tensor(weights), out.dtype)
    else:
        w = tf.constant(as_array("weights", weights, dtype=np.float64, finite=False), out.dtype)
    if w.shape != out.shape:
        raise ValueError(
            f"weights must have the shape of f's output {tuple(out.shape)} (got {tuple(w.shape)})"
        )
    return w
