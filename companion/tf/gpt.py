"""GPT-2's pre-norm decoder block in Keras 3, the twin of :mod:`companion.torch.gpt`.

Explained in chapter "A small GPT from scratch" (book/03_math/small_gpt).

:class:`CausalSelfAttention` and :class:`Block` have the names, sublayer names and sizes of the
PyTorch classes; :func:`load_block_weights` reads the dictionary that
:func:`companion.torch.gpt.block_weights` returns (PyTorch's ``(out, in)`` layout, transposed
here to Keras' ``(in, out)``), and :func:`block_weights` gives it back in that layout, so one
set of weights runs in both frameworks. Attention goes through
``keras.ops.dot_product_attention`` with ``is_causal=True``. The Keras block has no KV cache:
its ``call`` returns the block's output only.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.runtime import import_tensorflow
from companion.sizing.transformer import TransformerConfig, gpt_config

tf = import_tensorflow()
keras = tf.keras

__all__ = ["Block", "CausalSelfAttention", "block_weights", "load_block_weights"]

LAYER_NORM_EPS = 1e-5  # PyTorch's default; Keras' own default is 1e-3


class CausalSelfAttention(keras.layers.Layer):
    """Multi-head self-attention in which position t sees positions 0..t only.

    Parameters
    ----------
    config : TransformerConfig
        ``style="gpt"``; uses ``hidden_size`` (D) and ``n_heads``.
    **kwargs
        Passed to ``keras.layers.Layer`` (e.g. ``dtype="float64"``).

    Examples
    --------
    >>> cfg = TransformerConfig("gpt", 10, 8, 1, 2, 4)
    >>> tuple(CausalSelfAttention(cfg)(np.zeros((3, 4, 8), "float32")).shape)
    (3, 4, 8)
    """

    def __init__(self, config: TransformerConfig, **kwargs: object) -> None:
        super().__init__(**kwargs)
        D = gpt_config(config).hidden_size
        self.n_heads = config.n_heads
        self.W_qkv = keras.layers.Dense(3 * D, dtype=self.dtype_policy, name="W_qkv")
        self.W_o = keras.layers.Dense(D, dtype=self.dtype_policy, name="W_o")

    def call(self, X):  # noqa: D102 - (B, T, D) -> (B, T, D)
        ops = keras.ops
        B, T, D = ops.shape(X)[0], ops.shape(X)[1], X.shape[-1]
        q, k, v = ops.split(self.W_qkv(X), 3, axis=-1)
        shape = (B, T, self.n_heads, D // self.n_heads)  # Keras' layout: (B, T, heads, d_k)
        q, k, v = (ops.reshape(a, shape) for a in (q, k, v))
        y = ops.dot_product_attention(q, k, v, is_causal=True)
        return self.W_o(ops.reshape(y, (B, T, D)))


class Block(keras.layers.Layer):
    """GPT-2's pre-norm block: ``X + attn(LN(X))``, then ``X + MLP(LN(X))``.

    Parameters
    ----------
    config : TransformerConfig
        ``style="gpt"``; the MLP is ``hidden_size -> ffn_size -> hidden_size`` with exact
        (erf) GELU, as ``torch.nn.functional.gelu``.
    **kwargs
        Passed to ``keras.layers.Layer`` (e.g. ``dtype="float64"``).

    Examples
    --------
    >>> cfg = TransformerConfig("gpt", 10, 8, 1, 2, 4)
    >>> tuple(Block(cfg)(np.zeros((1, 4, 8), "float32")).shape)
    (1, 4, 8)
    """

    def __init__(self, config: TransformerConfig, **kwargs: object) -> None:
        super().__init__(**kwargs)
        D, F = gpt_config(config).hidden_size, config.ffn_size
        self.config = config
        policy = self.dtype_policy
        self.ln_1 = keras.layers.LayerNormalization(epsilon=LAYER_NORM_EPS, dtype=policy)
        self.attn = CausalSelfAttention(config, dtype=policy)
        self.ln_2 = keras.layers.LayerNormalization(epsilon=LAYER_NORM_EPS, dtype=policy)
        self.fc = keras.layers.Dense(F, dtype=policy)
        self.proj = keras.layers.Dense(D, dtype=policy)

    def call(self, X):  # noqa: D102 - (B, T, D) -> (B, T, D)
        X = X + self.attn(self.ln_1(X))
        h = self.fc(self.ln_2(X))
        # exact GELU written out: keras.activations.gelu(approximate=False) is off by ~5e-9
        # in float64 under the TensorFlow backend, far above rounding
        h = 0.5 * h * (1.0 + keras.ops.erf(h / np.sqrt(2.0)))
        return X + self.proj(h)


def _pairs(block: Block) -> dict[str, tuple[object, bool]]:
    # PyTorch state_dict name -> (Keras variable, stored transposed in PyTorch)
    out = {}
    for name, layer in (("ln_1", block.ln_1), ("ln_2", block.ln_2)):
        out[f"{name}.weight"], out[f"{name}.bias"] = (layer.gamma, False), (layer.beta, False)
    dense = {"attn.W_qkv": block.attn.W_qkv, "attn.W_o": block.attn.W_o}
    dense |= {"fc": block.fc, "proj": block.proj}
    for name, layer in dense.items():
        out[f"{name}.weight"], out[f"{name}.bias"] = (layer.kernel, True), (layer.bias, False)
    return out


def _built(block: Block) -> Block:
    if not block.built:
        block(np.zeros((1, 1, block.config.hidden_size), dtype=block.compute_dtype))
    return block


def load_block_weights(block: Block, weights: dict[str, ArrayLike]) -> Block:
    """Copy ``weights`` from :func:`companion.torch.gpt.block_weights` into ``block``; return it.

    Raises
    ------
    ValueError
        If a name is missing or extra, or a shape differs.

    Examples
    --------
    >>> cfg = TransformerConfig("gpt", 10, 8, 1, 2, 4)
    >>> a, b = Block(cfg), Block(cfg)
    >>> _ = load_block_weights(b, block_weights(a))
    >>> bool(np.all(block_weights(b)["fc.weight"] == block_weights(a)["fc.weight"]))
    True
    """
    pairs = _pairs(_built(block))
    if set(weights) != set(pairs):
        raise ValueError(
            f"weights must have the names {sorted(pairs)} (missing "
            f"{sorted(set(pairs) - set(weights))}, extra {sorted(set(weights) - set(pairs))})"
        )
    for name, (variable, transposed) in pairs.items():
        array = np.asarray(weights[name])
        array = array.T if transposed else array
        if array.shape != tuple(variable.shape):
            expected = tuple(variable.shape)[::-1] if transposed else tuple(variable.shape)
            raise ValueError(
                f"weights[{name!r}] must have shape {expected} (got {np.shape(weights[name])})"
            )
        variable.assign(array.astype(variable.dtype))
    return block


def block_weights(block: Block) -> dict[str, np.ndarray]:
    """A block's weights as float64 arrays, laid out as :func:`companion.torch.gpt.block_weights`.

    Examples
    --------
    >>> w = block_weights(Block(TransformerConfig("gpt", 10, 8, 1, 2, 4)))
    >>> w["attn.W_qkv.weight"].shape, w["fc.weight"].shape
    ((24, 8), (32, 8))
    """
    out = {}
    for name, (variable, transposed) in _pairs(_built(block)).items():
        array = np.asarray(variable.numpy(), dtype=np.float64)
        out[name] = array.T if transposed else array
    return out
