"""companion.plots: house style and labelled axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
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
