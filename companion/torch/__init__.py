"""PyTorch versions of the book's formulas, under the same names as :mod:`companion.tf`.

Importing this package imports torch; the NumPy references live in :mod:`companion.maths`.
"""

from companion.torch.losses import cross_entropy, cross_entropy_grad

__all__ = ["cross_entropy", "cross_entropy_grad"]
