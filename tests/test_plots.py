"""companion.plots: house style and labelled axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from companion.plots import FRAMEWORK_COLORS, label_axes, use_house_style  # noqa: E402


def test_house_style_sets_grid_and_size():
    use_house_style()
    assert matplotlib.rcParams["axes.grid"] is True
    assert tuple(matplotlib.rcParams["figure.figsize"]) == (6.4, 4.0)


def test_one_colour_per_framework():
    assert len(set(FRAMEWORK_COLORS.values())) == len(FRAMEWORK_COLORS)


def test_label_axes_sets_all_three():
    fig, ax = plt.subplots()
    label_axes(ax, title="T", xlabel="x (s)", ylabel="y (m)")
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("T", "x (s)", "y (m)")
    plt.close(fig)


@pytest.mark.parametrize("missing", ["title", "xlabel", "ylabel"])
def test_label_axes_requires_every_label(missing):
    fig, ax = plt.subplots()
    labels = {"title": "T", "xlabel": "x", "ylabel": "y", missing: " "}
    with pytest.raises(ValueError, match=f"{missing} must be a non-empty string"):
        label_axes(ax, **labels)
    plt.close(fig)


def test_confident_mistakes_orders_by_confidence_and_keeps_ties_in_test_order():
    from companion.plots import confident_mistakes

    rng = np.random.default_rng(0)
    images = rng.random((50, 28, 28))
    prob = rng.dirichlet(np.ones(10), size=50)
    prob[[3, 7, 9]] = prob[3]  # a three-way tie in confidence
    y_pred = prob.argmax(1)
    y_true = np.where(np.arange(50) % 3 == 0, y_pred, (y_pred + 1) % 10)
    fig, shown = confident_mistakes(images, y_true, y_pred, prob, title="t (28 x 28 pixels)")
    conf = prob[shown, y_pred[shown]]
    assert len(shown) == 12 and (np.diff(conf) <= 0).all()
    assert all(y_true[i] != y_pred[i] for i in shown)
    ties = [i for i in shown if i in (7, 9)]
    assert ties == sorted(ties)
    best = max(prob[i, y_pred[i]] for i in range(50) if y_true[i] != y_pred[i])
    assert conf[0] == best
    assert fig.axes[6].get_xlabel() == "pixels (28)"  # the labelled corner panel
    assert fig.axes[6].title.get_fontsize() == fig.axes[0].title.get_fontsize()
    assert fig._suptitle.get_text() == "t (28 x 28 pixels)"
    plt.close(fig)


def test_confident_mistakes_with_no_mistake_draws_an_empty_grid():
    from companion.plots import confident_mistakes

    prob = np.eye(3)
    fig, shown = confident_mistakes(np.zeros((3, 4, 4)), [0, 1, 2], [0, 1, 2], prob, title="t")
    assert shown.tolist() == []
    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"images": np.zeros((3, 4))}, "images must have shape"),
        ({"y_true": [0, 1]}, "y_true and y_pred must have shape"),
        ({"prob": np.ones(3)}, "prob must have shape"),
        ({"n": 0}, "n must be a positive int"),
        ({"ncols": 2.0}, "ncols must be a positive int"),
        ({"title": " "}, "title must be a non-empty string"),
    ],
)
def test_confident_mistakes_refuses_bad_arguments(kwargs, message):
    from companion.plots import confident_mistakes

    args = {
        "images": np.zeros((3, 4, 4)),
        "y_true": [0, 1, 2],
        "y_pred": [0, 1, 1],
        "prob": np.eye(3),
        "title": "t",
    } | kwargs
    title = args.pop("title")
    with pytest.raises(ValueError, match=message):
        confident_mistakes(**args, title=title)
