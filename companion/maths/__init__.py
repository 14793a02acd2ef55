"""NumPy references for the book's formulas; the framework versions are checked against these."""

from companion.maths.gradcheck import GradientComparison, compare_gradients, numerical_gradient
from companion.maths.softmax import (
    binary_cross_entropy,
    cross_entropy,
    cross_entropy_grad,
    log_softmax,
    one_hot,
    softmax,
)

__all__ = [
    "GradientComparison",
    "binary_cross_entropy",
    "compare_gradients",
    "cross_entropy",
    "cross_entropy_grad",
    "log_softmax",
    "numerical_gradient",
    "one_hot",
    "softmax",
]
