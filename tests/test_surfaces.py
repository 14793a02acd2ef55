"""companion.maths.surfaces: the Rosenbrock function and its gradient."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from companion.maths.gradcheck import check_gradient
from companion.maths.surfaces import rosenbrock, rosenbrock_grad

points = arrays(np.float64, 2, elements=st.floats(-2, 2))


@given(points)
def test_rosenbrock_gradient_passes_check_gradient(theta):
    f0 = abs(rosenbrock(theta))
    check_gradient(rosenbrock, theta, rosenbrock_grad(theta), atol=1e-7 * max(1.0, f0))


def test_rosenbrock_minimum_and_grid_evaluation():
    assert rosenbrock([1.0, 1.0]) == 0.0
    assert rosenbrock_grad([1.0, 1.0]).tolist() == [0.0, 0.0]
    xs, ys = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 4))
    grid = rosenbrock(np.stack([xs, ys]))
    assert grid.shape == (4, 5)
    assert grid[1, 2] == pytest.approx(rosenbrock([xs[1, 2], ys[1, 2]]))


def test_rosenbrock_gradient_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    xy = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    f = (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2
    np.testing.assert_allclose(rosenbrock_grad([-1.2, 1.0]), torch.autograd.grad(f, xy)[0].numpy())


def test_surfaces_reject_bad_points():
    with pytest.raises(ValueError, match=r"theta must have shape \(2,\) or \(2, \.\.\.\)"):
        rosenbrock([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"theta must be a point \(x, y\)"):
        rosenbrock_grad([1.0])
