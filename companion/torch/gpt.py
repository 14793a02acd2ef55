"""A small GPT: a decoder-only Transformer with a KV cache and sampling, and an n-gram baseline.

Explained in chapter "A small GPT from scratch" (book/03_math/small_gpt).

The sizes are a :class:`companion.sizing.TransformerConfig` with ``style="gpt"``, so the
parameter count of :class:`GPT` is the one :func:`companion.sizing.count_parameters` computes
(tested). The block is GPT-2's: LayerNorm *before* attention and before the MLP (pre-norm),
causal multi-head self-attention through ``torch.nn.functional.scaled_dot_product_attention``
(the kernel :mod:`companion.torch.attention` wraps), a GELU MLP, learned positions, a final
LayerNorm and an output layer tied to the token embeddings. :mod:`companion.tf.gpt` holds the
same :class:`Block` in Keras, loaded from :func:`block_weights`.

:class:`companion.maths.ngram.NgramModel` (add-k smoothed n-grams) and
:func:`companion.maths.ngram.distinct_n` are the framework-free yardsticks the chapter measures
the model with.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike

from companion.sizing.transformer import TransformerConfig, gpt_config

__all__ = [
    "GPT",
    "Block",
    "CausalSelfAttention",
    "block_weights",
    "generate",
    "load_block_weights",
]

#: One block's cache: keys and values, each (B, n_heads, S, d_k).
KVCache = tuple[torch.Tensor, torch.Tensor]
LAYER_NORM_EPS = 1e-5


class CausalSelfAttention(torch.nn.Module):
    """Multi-head self-attention in which position t sees positions 0..t only.

    Parameters
    ----------
    config : TransformerConfig
        ``style="gpt"``; uses ``hidden_size`` (D) and ``n_heads``.

    Attributes
    ----------
    W_qkv : torch.nn.Linear
        D -> 3D: queries, keys and values side by side, heads side by side in each.
    W_o : torch.nn.Linear
        D -> D, the output projection.

    Examples
    --------
    >>> cfg = TransformerConfig("gpt", 10, 8, 1, 2, 4)
    >>> y, (k, v) = CausalSelfAttention(cfg)(torch.zeros(3, 4, 8))
    >>> tuple(y.shape), tuple(k.shape)
    ((3, 4, 8), (3, 2, 4, 4))
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        D = gpt_config(config).hidden_size
        self.n_heads = config.n_heads
        self.W_qkv = torch.nn.Linear(D, 3 * D)
        self.W_o = torch.nn.Linear(D, D)

    def forward(
        self, X: torch.Tensor, cache: KVCache | None = None
    ) -> tuple[torch.Tensor, KVCache]:
        """``X`` (B, T, D), the cache of S earlier positions -> output (B, T, D), cache of S + T."""
        B, T, D = X.shape
        q, k, v = self.W_qkv(X).split(D, dim=-1)
        q, k, v = (a.view(B, T, self.n_heads, D // self.n_heads).transpose(1, 2) for a in (q, k, v))
        if cache is not None:  # the new keys and values join those of the earlier positions
            k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
        S = k.shape[2]  # (B, n_heads, S, d_k)
        if T == S:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # queries are the last T of S positions: query i sees keys 0..S-T+i
            allowed = torch.ones(T, S, dtype=torch.bool, device=X.device).tril(S - T)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        return self.W_o(y.transpose(1, 2).reshape(B, T, D)), (k, v)


class Block(torch.nn.Module):
    """GPT-2's pre-norm block: ``X + attn(LN(X))``, then ``X + MLP(LN(X))``.

    Parameters
    ----------
    config : TransformerConfig
        ``style="gpt"``; the MLP is ``hidden_size -> ffn_size -> hidden_size`` with GELU.

    Examples
    --------
    >>> cfg = TransformerConfig("gpt", 10, 8, 1, 2, 4)
    >>> X, _ = Block(cfg)(torch.zeros(1, 4, 8))
    >>> tuple(X.shape)
    (1, 4, 8)
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        D, F_ = gpt_config(config).hidden_size, config.ffn_size
        self.ln_1 = torch.nn.LayerNorm(D, eps=LAYER_NORM_EPS)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = torch.nn.LayerNorm(D, eps=LAYER_NORM_EPS)
        self.fc = torch.nn.Linear(D, F_)
        self.proj = torch.nn.Linear(F_, D)

    def forward(
        self, X: torch.Tensor, cache: KVCache | None = None
    ) -> tuple[torch.Tensor, KVCache]:
        """``X`` (B, T, D) -> (B, T, D) and the block's updated cache."""
        a, cache = self.attn(self.ln_1(X), cache)
        X = X + a
        return X + self.proj(F.gelu(self.fc(self.ln_2(X)))), cache


class GPT(torch.nn.Module):
    """A decoder-only Transformer language model with tied input and output embeddings.

    Parameters
    ----------
    config : TransformerConfig
        ``style="gpt"``: vocabulary V, width D, ``n_layers`` blocks, ``n_heads``,
        ``max_positions`` (the context length, learned positions).

    Raises
    ------
    TypeError, ValueError
        If ``config`` is not a GPT-style :class:`~companion.sizing.TransformerConfig`.

    Examples
    --------
    >>> from companion.sizing import count_parameters
    >>> cfg = TransformerConfig("gpt", 50, 16, 2, 2, 8)
    >>> model = GPT(cfg)
    >>> sum(p.numel() for p in model.parameters()) == count_parameters(cfg).total
    True
    >>> logits, caches = model(torch.tensor([[1, 2, 3]]))
    >>> tuple(logits.shape), len(caches)
    ((1, 3, 50), 2)
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = gpt_config(config)
        V, D, P = config.vocab_size, config.hidden_size, config.max_positions
        self.wte = torch.nn.Embedding(V, D)  # tokens; also the output layer (tied)
        self.wpe = torch.nn.Embedding(P, D)  # learned positions
        self.blocks = torch.nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.ln_f = torch.nn.LayerNorm(D, eps=LAYER_NORM_EPS)
        for name, p in self.named_parameters():  # GPT-2's initialisation
            if name.endswith("bias"):
                torch.nn.init.zeros_(p)
            elif p.dim() == 2:  # residual projections scaled down by the depth
                std = (
                    0.02 / math.sqrt(2 * config.n_layers)
                    if "proj" in name or "W_o" in name
                    else 0.02
                )
                torch.nn.init.normal_(p, std=std)

    def forward(
        self, idx: torch.Tensor, caches: Sequence[KVCache] | None = None
    ) -> tuple[torch.Tensor, list[KVCache]]:
        """Token ids ``idx`` (B, T), optional caches of S earlier positions -> logits (B, T, V).

        Raises
        ------
        TypeError
            If ``idx`` is not an integer tensor.
        ValueError
            If ``idx`` is not 2-D and non-empty, holds an id outside ``[0, V)``, or S + T
            exceeds ``max_positions``; if ``caches`` has not one entry per block.
        """
        start = self._check(idx, caches)
        T = idx.shape[1]
        pos = torch.arange(start, start + T, device=idx.device)
        X = self.wte(idx) + self.wpe(pos)  # (B, T, D)
        new = []
        for i, block in enumerate(self.blocks):
            X, cache = block(X, None if caches is None else caches[i])
            new.append(cache)
        return self.ln_f(X) @ self.wte.weight.T, new  # tied output layer: (B, T, V)

    def _check(self, idx: torch.Tensor, caches: Sequence[KVCache] | None) -> int:
        if not isinstance(idx, torch.Tensor) or idx.dtype not in (torch.int64, torch.int32):
            raise TypeError(f"idx must be a tensor of int64 token ids (got {_describe(idx)})")
        if idx.dim() != 2 or idx.numel() == 0:
            raise ValueError(f"idx must have shape (B, T) with B, T >= 1 (got {tuple(idx.shape)})")
        V = self.config.vocab_size
        if int(idx.min()) < 0 or int(idx.max()) >= V:
            raise ValueError(
                f"idx must hold token ids in [0, {V}) (got min {int(idx.min())}, "
                f"max {int(idx.max())})"
            )
        if caches is not None and len(caches) != len(self.blocks):
            raise ValueError(
                f"caches must have one entry per block ({len(self.blocks)}; got {len(caches)})"
            )
        start = 0 if caches is None else caches[0][0].shape[2]
        if start + idx.shape[1] > self.config.max_positions:
            raise ValueError(
                f"idx is too long: {start} cached + {idx.shape[1]} new positions exceed "
                f"max_positions={self.config.max_positions}"
            )
        return start


def _describe(x: object) -> str:
    return f"{type(x).__name__} of {x.dtype}" if hasattr(x, "dtype") else type(x).__name__


def _next_token(
    logits: torch.Tensor, temperature: float, top_k: int | None, generator: torch.Generator | None
) -> torch.Tensor:
    # logits (B, V) -> next ids (B, 1)
    if temperature == 0:
        return logits.argmax(dim=-1, keepdim=True)  # greedy
    z = logits / temperature
    if top_k is not None:
        kth = torch.topk(z, top_k, dim=-1).values[:, -1:]  # (B, 1), the k-th largest
        z = z.masked_fill(z < kth, float("-inf"))
    return torch.multinomial(torch.softmax(z, dim=-1), 1, generator=generator)


@torch.no_grad()
def generate(
    model: GPT,
    prompt: torch.Tensor,
    n_new: int,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    generator: torch.Generator | None = None,
    use_cache: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Extend ``prompt`` by ``n_new`` tokens, one at a time, with or without the KV cache.

    Parameters
    ----------
    model : GPT
    prompt : torch.Tensor of int64, shape (B, T0)
    n_new : int
        Tokens to add, >= 1; ``T0 + n_new`` must not exceed ``max_positions``.
    temperature : float
        0 for greedy decoding (the most probable token); otherwise the logits are divided by
        it before sampling (below 1 sharpens, above 1 flattens the distribution).
    top_k : int or None
        Sample only among the ``top_k`` most probable tokens.
    generator : torch.Generator or None
        Source of the random draws, for a seeded sample.
    use_cache : bool
        Keep the keys and values of earlier positions and feed only the newest token
        (the KV cache); otherwise run the whole sequence again at every step.

    Returns
    -------
    ids : torch.Tensor, shape (B, T0 + n_new)
        The prompt and the new tokens.
    logits : torch.Tensor, shape (B, n_new, V)
        The raw next-token logits at each step (before temperature and top-k).

    Raises
    ------
    TypeError
        If ``prompt`` is not a 2-D tensor (its ids are checked by the model).
    ValueError
        If ``n_new``, ``temperature`` or ``top_k`` is out of range or the result would exceed
        the context length.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> model = GPT(TransformerConfig("gpt", 20, 8, 1, 2, 8)).eval()
    >>> ids, logits = generate(model, torch.tensor([[1, 2]]), 3, temperature=0)
    >>> tuple(ids.shape), tuple(logits.shape)
    ((1, 5), (1, 3, 20))
    """
    if isinstance(n_new, bool) or not isinstance(n_new, int) or n_new < 1:
        raise ValueError(f"n_new must be an int >= 1 (got n_new={n_new!r})")
    if not isinstance(temperature, (int, float)) or not 0 <= temperature < math.inf:
        raise ValueError(f"temperature must be a finite number >= 0 (got {temperature!r})")
    V = model.config.vocab_size
    if top_k is not None and (
        isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= V
    ):
        raise ValueError(f"top_k must be None or an int in [1, {V}] (got top_k={top_k!r})")
    if not isinstance(prompt, torch.Tensor) or prompt.dim() != 2:
        raise TypeError(f"prompt must be a (B, T0) tensor of token ids (got {_describe(prompt)})")
    if prompt.shape[1] + n_new > model.config.max_positions:
        raise ValueError(
            f"n_new too large: prompt length {prompt.shape[1]} + n_new {n_new} exceeds "
            f"max_positions={model.config.max_positions}"
        )
    ids, steps, caches = prompt, [], None
    step_input = prompt
    for _ in range(n_new):
        if use_cache:
            logits, caches = model(step_input, caches)
        else:
            logits, _ = model(ids)  # the whole sequence, every time
        steps.append(logits[:, -1])
        nxt = _next_token(logits[:, -1], float(temperature), top_k, generator)
        ids = torch.cat([ids, nxt], dim=1)
        step_input = nxt  # with the cache, only the newest token is fed
    return ids, torch.stack(steps, dim=1)


def block_weights(block: Block) -> dict[str, np.ndarray]:
    """A block's weights as float64 NumPy arrays, under the names of its ``state_dict``.

    Linear weights keep PyTorch's ``(out, in)`` layout; :func:`companion.tf.gpt.load_block_weights`
    reads this dictionary into the Keras twin.

    Examples
    --------
    >>> w = block_weights(Block(TransformerConfig("gpt", 10, 8, 1, 2, 4)))
    >>> w["attn.W_qkv.weight"].shape, w["fc.weight"].shape
    ((24, 8), (32, 8))
    """
    return {k: v.detach().cpu().double().numpy() for k, v in block.state_dict().items()}


def load_block_weights(block: Block, weights: dict[str, ArrayLike]) -> Block:
    """Copy ``weights`` (as :func:`block_weights` gives them) into ``block``; return it.

    Raises
    ------
    ValueError
        If a name is missing or extra, or a shape differs.

    Examples
    --------
    >>> cfg = TransformerConfig("gpt", 10, 8, 1, 2, 4)
    >>> a, b = Block(cfg), Block(cfg)
    >>> _ = load_block_weights(b, block_weights(a))
    >>> bool((a.fc.weight == b.fc.weight).all())
    True
    """
    state = block.state_dict()
    if set(weights) != set(state):
        raise ValueError(
            f"weights must have the names {sorted(state)} "
            f"(missing {sorted(set(state) - set(weights))}, "
            f"extra {sorted(set(weights) - set(state))})"
        )
    new = {}
    for name, value in weights.items():
        array = np.asarray(value)
        if array.shape != tuple(state[name].shape):
            raise ValueError(
                f"weights[{name!r}] must have shape {tuple(state[name].shape)} (got {array.shape})"
            )
        new[name] = torch.tensor(array, dtype=state[name].dtype)
    block.load_state_dict(new)
    return block
