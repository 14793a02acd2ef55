"""The book's matplotlib house style and labelled axes.

Explained in the Preface, section "How the book is tested".
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FRAMEWORK_COLORS", "confident_mistakes", "label_axes", "use_house_style"]

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


def confident_mistakes(
    images: Any,
    y_true: Any,
    y_pred: Any,
    prob: Any,
    *,
    title: str,
    n: int = 12,
    ncols: int = 6,
    vmax: float | None = None,
) -> tuple[Any, np.ndarray]:
    """A grid of a classifier's most confident mistakes on images, most confident first.

    The figure the image chapters share: each panel shows one misread image with its true
    class, the class read and the probability given to it. Ties in confidence keep the order
    of the test set (a stable sort), so the grid is the same on every machine that computes
    the same probabilities.

    Parameters
    ----------
    images : array_like, shape (N, H, W)
        Grey-scale images (0 = background).
    y_true, y_pred : array_like of int, shape (N,)
        True and predicted classes.
    prob : array_like, shape (N, C)
        Predicted class probabilities; ``prob[i, y_pred[i]]`` is the confidence shown.
    title : str
        The figure's title (non-empty); say what the panels show and their size in pixels.
    n : int
        At most this many mistakes are shown.
    ncols : int
        Panels per row.
    vmax : float, optional
        The ink value shown as black (e.g. 1.0 for images scaled to [0, 1]); default: each
        panel scales to its own range.

    Returns
    -------
    figure : matplotlib.figure.Figure
    shown : numpy.ndarray of int
        The indices of the images shown, in panel order.

    Raises
    ------
    ValueError
        If shapes disagree, ``title`` is empty, or ``n`` or ``ncols`` is not a positive int.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> images = np.zeros((4, 8, 8))
    >>> prob = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.3, 0.7]])
    >>> fig, shown = confident_mistakes(
    ...     images, [0, 0, 0, 1], prob.argmax(1), prob, title="Mistakes (8 x 8 pixels)"
    ... )
    >>> shown.tolist()  # images 1 and 2 are misread; image 1 with p = 0.8 comes first
    [1, 2]
    """
    import matplotlib.pyplot as plt

    images, prob = np.asarray(images), np.asarray(prob, dtype=float)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    count = len(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, H, W) (got {images.shape})")
    if y_true.shape != (count,) or y_pred.shape != (count,):
        raise ValueError(
            f"y_true and y_pred must have shape ({count},) (got {y_true.shape}, {y_pred.shape})"
        )
    if prob.ndim != 2 or len(prob) != count:
        raise ValueError(f"prob must have shape ({count}, C) (got {prob.shape})")
    for name, value in (("n", n), ("ncols", ncols)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int (got {name}={value!r})")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string (got {title!r})")
    wrong = np.flatnonzero(y_pred != y_true)
    confidence = prob[wrong, y_pred[wrong]]
    shown = wrong[np.argsort(-confidence, kind="stable")][: int(n)]
    nrows = max(1, -(-min(int(n), max(len(shown), 1)) // int(ncols)))
    fig, axes = plt.subplots(nrows, int(ncols), figsize=(10, 2 * nrows), squeeze=False)
    for ax, i in zip(axes.flat, shown, strict=False):
        ax.imshow(images[i], cmap="gray_r", vmin=0 if vmax is not None else None, vmax=vmax)
        ax.set_title(
            f"true {y_true[i]}, read {y_pred[i]}\np = {prob[i, y_pred[i]]:.2f}", fontsize=9
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    for ax in axes.flat[len(shown) :]:
        ax.axis("off")
    fig.suptitle(title)
    height, width = images.shape[1:]
    corner = axes[-1, 0]
    label_axes(
        corner,
        title=corner.get_title() or "no mistakes",
        xlabel=f"pixels ({width})",
        ylabel=f"pixels ({height})",
    )
    corner.title.set_fontsize(9)  # label_axes sets the default title size
    return fig, shown
