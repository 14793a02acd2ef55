"""companion.maths.corruptions: rotations, Gaussian noise, accuracy sweeps; bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.maths.corruptions import accuracy_sweep, add_gaussian_noise, rotate_images

shapes = st.tuples(
    st.integers(1, 3), st.integers(2, 9), st.integers(2, 9), st.sampled_from([0, 1, 3])
).map(lambda s: s[:3] if s[3] == 0 else s)  # (N, H, W) or (N, H, W, C)


def _images(shape, seed, low=0.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


@given(shapes, st.integers(0, 2**16), st.sampled_from([0, 1, 3]))
def test_rotation_by_zero_is_the_identity(shape, seed, order):
    x = _images(shape, seed)
    np.testing.assert_allclose(rotate_images(x, 0.0, order=order), x, atol=1e-12)


@given(st.integers(1, 3), st.integers(2, 9), st.integers(0, 2**16), st.sampled_from([0, 1, 3]))
def test_rotation_by_90_degrees_turns_square_images_counter_clockwise(n, side, seed, order):
    x = _images((n, side, side), seed)
    np.testing.assert_allclose(
        rotate_images(x, 90.0, order=order), np.rot90(x, 1, axes=(1, 2)), atol=1e-12
    )


@given(
    shapes,
    st.integers(0, 2**16),
    st.floats(-360, 360, allow_nan=False),
    st.sampled_from([0, 1, 3, 5]),
    st.sampled_from([(0.0, 1.0), (-1.0, 1.0), (0.0, 255.0)]),
)
def test_rotation_keeps_the_shape_and_the_pixel_range(shape, seed, angle, order, value_range):
    x = _images(shape, seed, *value_range)
    y = rotate_images(x, angle, order=order, value_range=value_range)
    assert y.shape == x.shape and y.dtype == np.float64
    assert value_range[0] <= y.min() and y.max() <= value_range[1]


def test_rotation_fills_the_corners_with_the_background_value():
    y = rotate_images(np.ones((1, 9, 9)), 45.0, value_range=(-1.0, 1.0))
    assert y[0, 0, 0] == -1.0 and y[0, 4, 4] == 1.0


def test_per_image_angles_equal_one_call_per_image():
    x = _images((4, 8, 8, 2), 0)
    angles = np.array([-30.0, 0.0, 12.5, 45.0])
    together = rotate_images(x, angles)
    one_by_one = np.concatenate([rotate_images(x[i : i + 1], a) for i, a in enumerate(angles)])
    np.testing.assert_array_equal(together, one_by_one)


def test_rotation_accepts_uint8_images_in_their_own_range():
    x = np.random.default_rng(0).integers(0, 256, size=(2, 6, 6), dtype=np.uint8)
    np.testing.assert_array_equal(rotate_images(x, 0, value_range=(0, 255)), x)


@given(shapes, st.integers(0, 2**16))
def test_noise_of_zero_sigma_is_the_identity(shape, seed):
    x = _images(shape, seed)
    np.testing.assert_array_equal(add_gaussian_noise(x, 0.0, np.random.default_rng(seed)), x)


@given(shapes, st.integers(0, 2**16), st.floats(0, 10, allow_nan=False))
def test_noise_keeps_the_shape_and_the_pixel_range(shape, seed, sigma):
    x = _images(shape, seed)
    y = add_gaussian_noise(x, sigma, np.random.default_rng(seed))
    assert y.shape == x.shape and y.dtype == np.float64
    assert 0.0 <= y.min() and y.max() <= 1.0


def test_noise_has_the_requested_standard_deviation_away_from_the_bounds():
    x = np.full((50, 28, 28), 0.5)
    diff = add_gaussian_noise(x, 0.05, np.random.default_rng(0)) - x  # clipping never reached
    assert abs(diff.mean()) < 1e-3 and abs(diff.std() - 0.05) < 1e-3


def test_noise_per_image_sigma_and_the_same_seed_give_the_scaled_pattern():
    x = np.full((3, 5, 5), 0.5)
    y = add_gaussian_noise(x, np.array([0.0, 0.01, 0.02]), np.random.default_rng(1))
    np.testing.assert_array_equal(y[0], x[0])
    z = add_gaussian_noise(x, 0.01, np.random.default_rng(1))
    np.testing.assert_allclose(y[1], z[1], atol=1e-15)
    np.testing.assert_allclose(y[2] - 0.5, 2 * (z[2] - 0.5), atol=1e-15)


def test_clipping_makes_noise_on_the_background_one_sided():
    y = add_gaussian_noise(np.zeros((20, 10, 10)), 0.2, np.random.default_rng(0))
    assert abs(np.mean(y == 0.0) - 0.5) < 0.05  # the negative half is clipped to 0
    assert 0.2 * 0.35 < y.mean() < 0.2 * 0.45  # E[max(0, Z)] = sigma / sqrt(2 pi) ~ 0.4 sigma


def test_sweep_scores_every_predictor_on_the_same_corrupted_images():
    x = np.arange(8.0).reshape(8, 1, 1)
    y = np.arange(8) % 2
    calls = []

    def corrupt(images, level):
        calls.append(level)
        return images + level

    seen = {"a": [], "b": []}

    def predictor(name):
        def predict(images):
            seen[name].append(images.copy())
            return (images[:, 0, 0] % 2).astype(int)  # right when level is even

        return predict

    sweep = accuracy_sweep({n: predictor(n) for n in seen}, x, y, corrupt, [0, 1, 2])
    assert calls == [0, 1, 2]
    for a, b in zip(seen["a"], seen["b"], strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(sweep["a"], [1.0, 0.0, 1.0])
    assert sweep["a"].shape == (3,) and list(sweep) == ["a", "b"]


def test_sweep_of_rotations_by_zero_gives_the_clean_accuracy():
    x, y = _images((6, 5, 5), 3), np.array([0, 1, 2, 0, 1, 2])

    def predict(images):
        return np.argmax(images[:, :3, 0], axis=1)

    sweep = accuracy_sweep({"m": predict}, x, y, rotate_images, [0.0])
    assert sweep["m"][0] == np.mean(predict(x) == y)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rotate_images(np.zeros((5, 5)), 10), "images must be numbers of shape"),
        (lambda: rotate_images(np.full((1, 3, 3), 2.0), 10), "images must lie in value_range"),
        (lambda: rotate_images(np.full((1, 3, 3), np.nan), 10), "images must be finite"),
        (lambda: rotate_images(np.zeros((1, 3, 3), dtype=complex), 1), "images must be numbers"),
        (lambda: rotate_images(np.zeros((2, 3, 3)), [1.0, 2.0, 3.0]), "angles must be a number"),
        (lambda: rotate_images(np.zeros((1, 3, 3)), float("inf")), "angles must be finite"),
        (lambda: rotate_images(np.zeros((1, 3, 3)), "ten"), "angles must be a number"),
        (lambda: rotate_images(np.zeros((1, 3, 3)), 10, order=7), "order must be an int"),
        (lambda: rotate_images(np.zeros((1, 3, 3)), 10, value_range=(1, 0)), "low < high"),
        (lambda: rotate_images(np.zeros((1, 3, 3)), 10, value_range=5), "value_range must be two"),
        (
            lambda: add_gaussian_noise(np.zeros((1, 3, 3)), -0.1, np.random.default_rng(0)),
            "sigma must be >= 0",
        ),
        (
            lambda: add_gaussian_noise(np.zeros((2, 3, 3)), [0.1], np.random.default_rng(0)),
            "sigma must be a number or have shape \\(2,\\)",
        ),
        (
            lambda: add_gaussian_noise(np.zeros((1, 3, 3)), np.nan, np.random.default_rng(0)),
            "sigma must be finite",
        ),
        (
            lambda: accuracy_sweep({}, np.zeros((2, 1)), [0, 1], lambda b, s: b, [0]),
            "predictors must be a non-empty mapping",
        ),
        (
            lambda: accuracy_sweep({"m": len}, np.zeros((2, 1)), [0, 1, 1], lambda b, s: b, [0]),
            "images and labels must have the same length",
        ),
        (
            lambda: accuracy_sweep({"m": len}, np.zeros((2, 1)), [0, 1], lambda b, s: b, []),
            "levels must name at least one severity",
        ),
        (
            lambda: accuracy_sweep(
                {"m": len}, np.zeros((2, 1)), [0, 1], lambda b, s: b, [float("nan")]
            ),
            "levels must be finite",
        ),
        (
            lambda: accuracy_sweep({"m": len}, np.zeros((2, 1)), [0, 1], lambda b, s: b, ["a"]),
            "levels must be real numbers",
        ),
        (
            lambda: accuracy_sweep({"m": len}, np.zeros((2, 1)), [0, 1], lambda b, s: b[:1], [0]),
            "corrupt returned 1 images for 2",
        ),
        (
            lambda: accuracy_sweep({"m": len}, np.zeros((2, 1)), [0, 1], lambda b, s: b, [0]),
            "predictor 'm' returned shape \\(\\), expected \\(2,\\)",
        ),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_noise_needs_a_generator():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        add_gaussian_noise(np.zeros((1, 3, 3)), 0.1, 0)
