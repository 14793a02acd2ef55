"""Low-rank adaptation (LoRA) of a model's linear layers with peft: counting and adding adapters.

Explained in chapter "Fine-tuning with few parameters" (book/03_math/lora).

LoRA (Hu et al. 2021) freezes a pretrained weight :math:`W_0` of shape ``(d_out, d_in)`` and
learns a low-rank update beside it, :math:`W = W_0 + (\\alpha / r) B A` with :math:`B` of shape
``(d_out, r)`` (zero at the start) and :math:`A` of shape ``(r, d_in)``. Each adapted matrix
thus trains :math:`r (d_{in} + d_{out})` numbers instead of :math:`d_{in} d_{out}`.

- :func:`adapted_linears`: the ``nn.Linear`` layers that a list of module names selects, by
  peft's rule (the full name, or its last dotted parts).
- :func:`lora_parameter_count`: the trainable parameters by the formula above, plus any
  module trained in full (a classifier head).
- :func:`add_lora`: wraps a model with peft's LoRA adapters; every other weight is frozen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import nn

__all__ = ["adapted_linears", "add_lora", "lora_parameter_count"]


def adapted_linears(model: nn.Module, target_modules: Sequence[str]) -> dict[str, nn.Linear]:
    """The linear layers of ``model`` that LoRA adapts, by name.

    A module is selected when its full name equals one of ``target_modules`` or ends with
    ``"." + name``, the rule peft applies to a list of names.

    Parameters
    ----------
    model : torch.nn.Module
        Any module, e.g. a ``SentenceClassifier`` around a BERT encoder.
    target_modules : sequence of str
        Module names such as ``["query", "value"]`` (the attention's :math:`W_q`, :math:`W_v`).

    Returns
    -------
    dict of str to torch.nn.Linear
        The selected layers, in the order of ``model.named_modules()``.

    Raises
    ------
    TypeError
        If ``target_modules`` is a single string or holds a non-string.
    ValueError
        If ``target_modules`` is empty, or selects no module, or selects a module that is not
        an ``nn.Linear``.

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    >>> list(adapted_linears(model, ["0", "2"]))
    ['0', '2']
    """
    names = _check_targets(target_modules)
    found: dict[str, nn.Linear] = {}
    for full_name, module in model.named_modules():
        if not any(full_name == n or full_name.endswith("." + n) for n in names):
            continue
        if not isinstance(module, nn.Linear):
            raise ValueError(
                f"target_modules must select nn.Linear layers only (got {full_name!r}, "
                f"a {type(module).__name__}, for target_modules={list(names)})"
            )
        found[full_name] = module
    if not found:
        raise ValueError(
            f"target_modules selects no module of the model (got target_modules={list(names)})"
        )
    return found


def lora_parameter_count(
    model: nn.Module,
    r: int,
    target_modules: Sequence[str],
    *,
    trained_modules: Sequence[str] = (),
) -> int:
    """Trainable parameters of ``model`` under LoRA, from the formula ``r (d_in + d_out)``.

    Parameters
    ----------
    model : torch.nn.Module
        The model before adapters are added.
    r : int
        Rank of each update, at least 1.
    target_modules : sequence of str
        Names of the adapted linear layers (see :func:`adapted_linears`).
    trained_modules : sequence of str
        Names of modules trained in full besides the adapters, e.g. ``["head"]``; each must
        name exactly one module of ``model``. Default: none.

    Returns
    -------
    int
        ``sum(r * (d_in + d_out))`` over the adapted layers plus every parameter of the
        modules trained in full (LoRA adds no bias).

    Raises
    ------
    TypeError, ValueError
        As :func:`adapted_linears`; ``ValueError`` also if ``r`` is not a positive int or
        a name of ``trained_modules`` is not a module of ``model``.

    References
    ----------
    .. [1] Hu, Shen, Wallis, Allen-Zhu, Li, Wang, Wang, Chen, "LoRA: Low-Rank Adaptation of
       Large Language Models", arXiv:2106.09685, 2021; ICLR 2022.

    Examples
    --------
    Two layers of a 4 -> 3 -> 2 network, rank 2, with the last layer also trained in full:

    >>> model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    >>> lora_parameter_count(model, 2, ["0", "2"], trained_modules=["2"])
    32
    """
    _check_rank(r)
    layers = adapted_linears(model, target_modules).values()
    count = sum(r * (m.in_features + m.out_features) for m in layers)
    modules = dict(model.named_modules())
    for name in _check_names(trained_modules, "trained_modules"):
        if name not in modules:
            raise ValueError(
                f"trained_modules must name modules of the model (got {name!r} in "
                f"trained_modules={list(trained_modules)})"
            )
        count += sum(p.numel() for p in modules[name].parameters())
    return count


def add_lora(
    model: nn.Module,
    *,
    r: int,
    alpha: float,
    target_modules: Sequence[str],
    dropout: float = 0.0,
    trained_modules: Sequence[str] = (),
) -> Any:
    """Freeze ``model`` and add peft's LoRA adapters of rank ``r`` to its chosen linear layers.

    Parameters
    ----------
    model : torch.nn.Module
        The model to adapt; peft changes it in place and wraps it.
    r : int
        Rank of each update, at least 1.
    alpha : float
        Scale numerator: the update is ``(alpha / r) B A``; positive.
    target_modules : sequence of str
        Names of the adapted linear layers (see :func:`adapted_linears`).
    dropout : float
        Dropout on the adapters' input during training, in ``[0, 1)``.
    trained_modules : sequence of str
        Modules trained in full beside the adapters (peft's ``modules_to_save``), e.g. a
        classifier head that starts from random weights.

    Returns
    -------
    peft.PeftModel
        Called like ``model``; ``get_nb_trainable_parameters()`` gives peft's count and
        ``merge_and_unload()`` folds each update into its weight and returns ``model``'s type.

    Raises
    ------
    TypeError, ValueError
        As :func:`lora_parameter_count`; ``ValueError`` also if ``alpha`` is not positive or
        ``dropout`` is outside ``[0, 1)``.

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    >>> expected = lora_parameter_count(model, 2, ["0", "2"])  # before peft changes model
    >>> peft_model = add_lora(model, r=2, alpha=4, target_modules=["0", "2"])
    >>> peft_model.get_nb_trainable_parameters()[0], expected
    (24, 24)
    """
    from peft import LoraConfig, get_peft_model  # imported here: peft is slow to import

    _check_rank(r)
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not alpha > 0:
        raise ValueError(f"alpha must be a positive number (got alpha={alpha!r})")
    if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must lie in [0, 1) (got dropout={dropout!r})")
    targets = list(adapted_linears(model, target_modules))  # validates target_modules
    trained = _check_names(trained_modules, "trained_modules")
    lora_parameter_count(model, r, target_modules, trained_modules=trained)  # validates names
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=float(dropout),
        target_modules=targets,
        modules_to_save=list(trained) or None,
    )
    return get_peft_model(model, config)


def _check_rank(r: object) -> None:
    if isinstance(r, bool) or not isinstance(r, int) or r < 1:
        raise ValueError(f"r must be a positive int (got r={r!r})")


def _check_names(names: object, argument: str) -> tuple[str, ...]:
    if isinstance(names, str):
        raise TypeError(f"{argument} must be a list of names, not one string (got {names!r})")
    if not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"{argument} must be a list of strings (got {argument}={names!r})")
    return tuple(names)


def _check_targets(target_modules: object) -> tuple[str, ...]:
    names = _check_names(target_modules, "target_modules")
    if not names:
        raise ValueError("target_modules must name at least one module (got an empty list)")
    return names
