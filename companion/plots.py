"""The book's matplotlib house style and labelled axes.

Explained in the Preface, section "How the book is tested".
"""

from __future__ import annotations

from typing import Any

__all__ = ["FRAMEWORK_COLORS", "label_axes", "use_house_style"]

#: One colour per framework across the whole book.
FRAMEWORK_COLORS: dict[str, str] = {
    "numpy": "#4c72b0",
    "torch": "#ee4c2c",
    "tensorflow": "#ff8f00",
    "finite differences": "#555555",
}

_STYLE: dict[str, Any] = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    # a framed, nearly opaque legend stays readable where it crosses data
    "legend.frameon": True,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "0.8",
    "lines.linewidth": 1.8,
    "svg.hashsalt": "companion",  # stable SVG ids if a figure is ever saved as SVG
}


def use_house_style() -> None:
    """Apply the house style to matplotlib's rcParams (imports matplotlib, not pyplot).

    Examples
    --------
    >>> use_house_style()
    >>> import matplotlib
    >>> matplotlib.rcParams["axes.grid"]
    True
    """
    import matplotlib

    matplotlib.rcParams.update(_STYLE)
    _sharp_inline_figures()


def _sharp_inline_figures() -> None:
    """In a Jupyter kernel, store figures as PNG at twice the pixels ("retina"), shown at 1x.

    The PNG carries its display width and height, so the book shows it at the same size as
    before, sharp on high-density screens; outside a kernel this does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")


def label_axes(ax: Any, *, title: str, xlabel: str, ylabel: str) -> Any:
    """Give a plot the title and axis labels (with units) that every figure of the book has.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    title, xlabel, ylabel : str
        Non-empty; put units in brackets, e.g. ``"loss (nats)"``.

    Returns
    -------
    matplotlib.axes.Axes
        The same axes, for chaining.

    Raises
    ------
    ValueError
        If a label is empty.
    """
    for name, text in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{name} must be a non-empty string (got {text!r})")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax
