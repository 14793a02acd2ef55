"""Output shapes, parameters and FLOP of convolutional and dense stacks, counted as Keras does.

Explained in chapter "When the articles' code breaks" (book/04_practice/articles_code_breaks).
The layer specs carry Keras' names and shape rules; ``count_stack`` sums to Keras'
``count_params()`` for the same stack (tested).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from companion.sizing._validate import positive_int

__all__ = [
    "Conv2D",
    "Dense",
    "Flatten",
    "GlobalAveragePooling2D",
    "LayerCount",
    "MaxPool2D",
    "count_stack",
]


@dataclass(frozen=True)
class Conv2D:
    """``keras.layers.Conv2D(filters, kernel_size, strides, padding)`` with bias."""

    filters: int
    kernel_size: int = 3
    strides: int = 1
    padding: Literal["valid", "same"] = "valid"

    def __post_init__(self) -> None:
        for name in ("filters", "kernel_size", "strides"):
            object.__setattr__(self, name, positive_int(name, getattr(self, name)))
        if self.padding not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same' (got padding={self.padding!r})")


@dataclass(frozen=True)
class MaxPool2D:
    """``keras.layers.MaxPooling2D(pool_size)``; strides default to the pool size."""

    pool_size: int = 2
    strides: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "pool_size", positive_int("pool_size", self.pool_size))
        if self.strides != 0:
            object.__setattr__(self, "strides", positive_int("strides", self.strides))


@dataclass(frozen=True)
class GlobalAveragePooling2D:
    """``keras.layers.GlobalAveragePooling2D()``: one mean per channel."""


@dataclass(frozen=True)
class Flatten:
    """``keras.layers.Flatten()``."""


@dataclass(frozen=True)
class Dense:
    """``keras.layers.Dense(units)`` with bias, on a flat input."""

    units: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "units", positive_int("units", self.units))


Layer = Conv2D | MaxPool2D | GlobalAveragePooling2D | Flatten | Dense


@dataclass(frozen=True)
class LayerCount:
    """One row of :func:`count_stack`: a layer, its output shape, parameters and forward FLOP."""

    layer: Layer
    output_shape: tuple[int, ...]
    params: int
    flops: int = 0

    @property
    def activations(self) -> int:
        """Numbers in the layer's output for one example."""
        return math.prod(self.output_shape)


def _spatial(n: int, k: int, s: int, padding: str, what: str) -> int:
    out = -(-n // s) if padding == "same" else (n - k) // s + 1
    if out < 1:
        raise ValueError(f"{what} of size {k} does not fit an input of size {n}")
    return out


def _count_layer(layer: Layer, shape: tuple[int, ...]) -> LayerCount:
    if not isinstance(layer, (Conv2D, MaxPool2D, GlobalAveragePooling2D, Flatten, Dense)):
        raise TypeError(
            f"unknown layer {layer!r}: expected Conv2D, MaxPool2D, GlobalAveragePooling2D, "
            "Flatten or Dense"
        )
    if isinstance(layer, Dense):
        if len(shape) != 1:
            raise ValueError(
                f"Dense needs a flat input: add Flatten or GlobalAveragePooling2D first "
                f"(got input shape {shape})"
            )
        (n_in,) = shape
        return LayerCount(
            layer, (layer.units,), n_in * layer.units + layer.units, 2 * n_in * layer.units
        )
    if isinstance(layer, Flatten):
        return LayerCount(layer, (math.prod(shape),), 0)
    if len(shape) != 3:
        raise ValueError(f"{type(layer).__name__} needs an (H, W, C) input (got shape {shape})")
    h, w, c = shape
    if isinstance(layer, GlobalAveragePooling2D):
        return LayerCount(layer, (c,), 0, h * w * c)
    if isinstance(layer, MaxPool2D):
        s = layer.strides or layer.pool_size
        p = layer.pool_size
        out = (_spatial(h, p, s, "valid", "pool"), _spatial(w, p, s, "valid", "pool"), c)
        return LayerCount(layer, out, 0)
    k, s = layer.kernel_size, layer.strides  # Conv2D
    oh, ow = (_spatial(n, k, s, layer.padding, "kernel") for n in (h, w))
    params = k * k * c * layer.filters + layer.filters
    flops = 2 * k * k * c * layer.filters * oh * ow
    return LayerCount(layer, (oh, ow, layer.filters), params, flops)


def count_stack(input_shape: tuple[int, ...], layers: list[Layer]) -> list[LayerCount]:
    """Output shape, parameters and forward FLOP of each layer of a sequential stack.

    Parameters
    ----------
    input_shape : tuple of int
        ``(H, W, C)`` for images (channels last, as Keras), or ``(n,)``.
    layers : list
        Layer specs, applied in order.

    Returns
    -------
    list of LayerCount
        One row per layer; ``sum(r.params for r in rows)`` equals Keras' ``count_params()``.

    Raises
    ------
    TypeError
        If ``input_shape`` is not a tuple of ints, ``layers`` not a list, or an item of
        ``layers`` not a known layer spec.
    ValueError
        For an empty ``input_shape``, a non-positive input size, a kernel larger than its
        input, or a Dense layer on an input that is not flat.

    Examples
    --------
    >>> rows = count_stack((28, 28, 1), [Conv2D(32), MaxPool2D(), Flatten(), Dense(10)])
    >>> [r.output_shape for r in rows], sum(r.params for r in rows)
    ([(26, 26, 32), (13, 13, 32), (5408,), (10,)], 54410)
    """
    if not isinstance(input_shape, (tuple, list, np.ndarray)):
        raise TypeError(
            f"input_shape must be a tuple of ints "
            f"(got {type(input_shape).__name__}: {input_shape!r})"
        )
    if len(input_shape) == 0:
        raise ValueError("input_shape must not be empty (got ())")
    if isinstance(layers, (str, bytes, np.ndarray)) or not isinstance(layers, Iterable):
        raise TypeError(f"layers must be a list of layer specs (got {type(layers).__name__})")
    shape = tuple(positive_int(f"input_shape[{i}]", n) for i, n in enumerate(input_shape))
    rows = []
    for i, layer in enumerate(layers):
        try:
            row = _count_layer(layer, shape)
        except TypeError as err:
            raise TypeError(f"layers[{i}]: {err}") from None
        rows.append(row)
        shape = row.output_shape
    return rows
