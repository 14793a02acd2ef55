"""TensorFlow/Keras versions of the book's formulas, under the same names as :mod:`companion.torch`.

Importing this package imports TensorFlow (quietly, see :func:`companion.setup`).
"""

from companion.tf.losses import cross_entropy, cross_entropy_grad

__all__ = ["cross_entropy", "cross_entropy_grad"]
