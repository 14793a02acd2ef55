"""Keras' ``SGD`` and ``Adam`` driven step by step, to compare with the NumPy rules.

Explained in chapter "Optimisers" (book/03_math/optimisers). The same names and signatures as
:mod:`companion.torch.optim`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.optim import AdamConfig, SGDConfig, as_start
from companion.runtime import import_tensorflow

tf = import_tensorflow()
keras = tf.keras

__all__ = ["optimize"]


def optimize(
    config: SGDConfig | AdamConfig,
    grad_fn: Callable[[np.ndarray], ArrayLike],
    theta0: ArrayLike,
    steps: int,
    *,
    lr_schedule: Callable[[int], float] | None = None,
) -> np.ndarray:
    """Run Keras' own optimiser for ``steps`` updates; return the trajectory.

    The gradient at each point comes from ``grad_fn`` (NumPy), the same function the NumPy
    reference uses, so that a comparison measures the update rule alone.

    Keras rounds hyperparameters given as Python floats through float32: the learning rate
    lives in a variable of dtype ``keras.config.floatx()`` (float32 by default), and
    ``keras.ops.cast(0.9, "float64")`` gives 0.8999999761581421, which is how the momentum
    and the powers ``beta^t`` reach a float64 update. This function builds the optimiser with
    float64 hyperparameters (``numpy.float64`` values, with ``floatx`` float64 while the
    learning-rate variable is created, then restored), so that the comparison measures the
    update rule, not that rounding. Chapter "Optimisers" shows the size of the rounding.

    Parameters
    ----------
    config : SGDConfig or AdamConfig
        ``convention="keras"`` for SGD and ``eps_placement="uncorrected"`` for Adam: the
        rules Keras implements.
    grad_fn : callable
        Maps parameters (float64 array) to the gradient there.
    theta0 : array_like
        Starting point.
    steps : int
        Number of updates.
    lr_schedule : callable, optional
        ``t -> lr`` for step ``t``, assigned to ``optimizer.learning_rate`` before the step.

    Returns
    -------
    numpy.ndarray, shape (steps + 1, *theta0.shape)

    Raises
    ------
    ValueError
        If ``config`` asks for a convention Keras does not implement.

    Examples
    --------
    >>> path = optimize(SGDConfig(lr=0.25, convention="keras"), lambda th: 2 * th, [1.0], steps=3)
    >>> path.ravel().tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    theta = as_start(config, theta0, steps)  # the NumPy reference's checks and messages
    opt = _make(config)
    var = keras.Variable(theta, dtype="float64")
    path = [var.numpy().copy()]
    for t in range(steps):
        if lr_schedule is not None:
            opt.learning_rate = np.float64(lr_schedule(t))
        grad = np.asarray(grad_fn(var.numpy().copy()), dtype=np.float64)
        opt.apply_gradients([(tf.constant(grad), var)])
        path.append(var.numpy().copy())
    return np.stack(path)


def _make(config: SGDConfig | AdamConfig) -> keras.optimizers.Optimizer:
    f64 = np.float64  # a float subclass: passes Keras' isinstance(x, float) checks
    if isinstance(config, SGDConfig) and config.convention != "keras":
        raise ValueError(
            "keras.optimizers.SGD implements convention='keras' "
            f"(got convention={config.convention!r})"
        )
    if isinstance(config, AdamConfig) and config.eps_placement != "uncorrected":
        raise ValueError(
            "keras.optimizers.Adam implements eps_placement='uncorrected' "
            f"(got eps_placement={config.eps_placement!r})"
        )
    floatx = keras.config.floatx()
    keras.config.set_floatx("float64")  # the learning-rate variable takes floatx's dtype
    try:
        if isinstance(config, SGDConfig):
            return keras.optimizers.SGD(learning_rate=f64(config.lr), momentum=f64(config.momentum))
        return keras.optimizers.Adam(
            learning_rate=f64(config.lr),
            beta_1=f64(config.beta1),
            beta_2=f64(config.beta2),
            epsilon=f64(config.eps),
        )
    finally:
        keras.config.set_floatx(floatx)
