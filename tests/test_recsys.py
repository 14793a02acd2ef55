"""companion.maths.recsys, companion.data.implicit_feedback and the BPR model: metrics against
scikit-learn and SciPy, the hand-derived BPR gradient against finite differences, PyTorch and
TensorFlow, and the error messages."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import top_k_accuracy_score

from companion.data.implicit_feedback import ImplicitFeedbackConfig, simulate_implicit_feedback
from companion.maths import numerical_gradient
from companion.maths.recsys import (
    bpr_grad,
    bpr_loss,
    popularity_scores,
    principal_angles,
    recall_at_k,
    sample_negatives,
    top_k,
)

pytest.importorskip("torch")
pytest.importorskip("tensorflow")
import companion.tf.recsys as tf_rec  # noqa: E402
import companion.torch.recsys as torch_rec  # noqa: E402

FRAMEWORKS = [torch_rec, tf_rec]
SMALL = ImplicitFeedbackConfig(n_users=200, n_items=80, rank=3, per_user=12, held_out=3)
finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def small_data():
    return simulate_implicit_feedback(SMALL, np.random.default_rng(3))


def _triples(seed: int = 0, n_users: int = 4, n_items: int = 6, r: int = 3, T: int = 9):
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(n_users, r)),
        rng.normal(size=(n_items, r)),
        rng.normal(size=n_items),
        rng.integers(0, n_users, T),
        rng.integers(0, n_items, T),
        rng.integers(0, n_items, T),
    )


# --- simulation ---------------------------------------------------------------------------


def test_simulation_train_and_test_are_disjoint_with_the_right_counts(small_data):
    assert not (small_data.train & small_data.test).any()
    assert (small_data.train.sum(axis=1) == SMALL.per_user - SMALL.held_out).all()
    assert (small_data.test.sum(axis=1) == SMALL.held_out).all()
    assert small_data.true_scores().shape == (SMALL.n_users, SMALL.n_items)


def test_simulation_is_reproducible_from_the_generator():
    a = simulate_implicit_feedback(SMALL, np.random.default_rng(5))
    b = simulate_implicit_feedback(SMALL, np.random.default_rng(5))
    np.testing.assert_array_equal(a.train, b.train)
    np.testing.assert_array_equal(a.item_factors, b.item_factors)


def test_simulated_users_choose_items_they_prefer(small_data):
    X = small_data.true_scores()
    chosen = small_data.train | small_data.test
    assert X[chosen].mean() > X[~chosen].mean() + 1.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"held_out": 12}, "need held_out < per_user < n_items"),
        ({"per_user": 80}, "need held_out < per_user < n_items"),
        ({"n_users": 0}, r"n_users must be a positive int \(got n_users=0\)"),
        ({"rank": 2.0}, "rank must be a positive int"),
        ({"item_scale": -1.0}, r"item_scale must be a finite number >= 0"),
        ({"popularity_scale": float("nan")}, "popularity_scale must be a finite number"),
    ],
)
def test_simulation_config_rejects_bad_sizes(kwargs, match):
    base = {"n_users": 200, "n_items": 80, "rank": 3, "per_user": 12, "held_out": 3}
    with pytest.raises(ValueError, match=match):
        ImplicitFeedbackConfig(**{**base, **kwargs})


def test_simulation_needs_a_config():
    with pytest.raises(TypeError, match="config must be an ImplicitFeedbackConfig"):
        simulate_implicit_feedback({"n_users": 3}, np.random.default_rng(0))


# --- ranking metrics ------------------------------------------------------------------------


@given(arrays(np.float64, (5, 7), elements=finite, unique=True), st.integers(1, 7))
def test_top_k_is_the_k_largest_in_order(scores, k):
    top = top_k(scores, k)
    np.testing.assert_array_equal(top, np.argsort(-scores, axis=1)[:, :k])


@given(arrays(np.float64, (4, 6), elements=finite), arrays(bool, (4, 6)))
def test_top_k_never_recommends_excluded_items(scores, exclude):
    exclude[:, 0] = False  # leave at least one item per row
    k = int((~exclude).sum(axis=1).min())
    top = top_k(scores, k, exclude)
    assert not np.take_along_axis(exclude, top, axis=1).any()


def test_top_k_breaks_ties_by_lower_index():
    assert top_k([[1.0, 1.0, 1.0]], 2).tolist() == [[0, 1]]


@pytest.mark.parametrize("k", [1, 2, 4])
def test_recall_with_one_relevant_item_equals_sklearn_top_k_accuracy(k):
    rng = np.random.default_rng(k)
    scores = rng.normal(size=(50, 6))
    truth = rng.integers(0, 6, 50)
    relevant = np.eye(6, dtype=bool)[truth]
    expected = top_k_accuracy_score(truth, scores, k=k, labels=np.arange(6))
    assert recall_at_k(scores, relevant, k) == pytest.approx(expected, abs=1e-12)


@given(arrays(np.float64, (6, 8), elements=finite), arrays(bool, (6, 8)), st.integers(1, 8))
def test_recall_lies_in_unit_interval_and_reaches_one_with_all_items(scores, relevant, k):
    relevant[0, 0] = True
    assert 0.0 <= recall_at_k(scores, relevant, k) <= 1.0
    assert recall_at_k(scores, relevant, 8) == 1.0


def test_recall_of_the_true_ranking_is_perfect():
    relevant = np.array([[0, 1, 1, 0], [1, 0, 0, 0]], dtype=bool)
    assert recall_at_k(relevant.astype(float), relevant, 2) == 1.0
    assert recall_at_k(-relevant.astype(float), relevant, 2) == 0.0


def test_recall_ignores_excluded_items_when_ranking():
    scores = np.array([[0.9, 0.5, 0.1]])
    relevant = np.array([[False, True, False]])
    assert recall_at_k(scores, relevant, 1) == 0.0
    assert recall_at_k(scores, relevant, 1, exclude=[[True, False, False]]) == 1.0


def test_popularity_scores_are_item_counts_in_every_row(small_data):
    pop = popularity_scores(small_data.train)
    np.testing.assert_array_equal(pop[0], small_data.train.sum(axis=0))
    np.testing.assert_array_equal(pop[0], pop[-1])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: top_k([[1.0, 2.0]], 3), r"k must be an int in \[1, 2\] \(got k=3\)"),
        (lambda: top_k([[1.0, 2.0]], 0), r"k must be an int in \[1, 2\]"),
        (lambda: top_k([[1.0, 2.0]], 2, exclude=[[1, 0]]), r"k must be an int in \[1, 1\]"),
        (lambda: top_k([1.0, 2.0], 1), "scores must be a finite 2-D array"),
        (lambda: top_k([[np.nan, 2.0]], 1), "scores must be a finite 2-D array"),
        (lambda: top_k([[1.0, 2.0]], 1, exclude=[[1, 0, 0]]), r"exclude must be shape \(1, 2\)"),
        (lambda: recall_at_k([[1.0, 2.0]], [[0, 0]], 1), "must mark at least one item"),
        (lambda: recall_at_k([[1.0, 2.0]], [[0, 2]], 1), "relevant must hold booleans or 0/1"),
        (lambda: popularity_scores([1, 0]), "train must be a 2-D array"),
    ],
)
def test_ranking_functions_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- principal angles -------------------------------------------------------------------------


@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 4))
def test_principal_angles_equal_scipy_subspace_angles(seed, p, q):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(9, p)), rng.normal(size=(9, q))
    np.testing.assert_allclose(
        principal_angles(A, B), np.sort(scipy.linalg.subspace_angles(A, B)), atol=1e-10
    )


@given(st.integers(0, 10_000))
def test_principal_angles_ignore_the_choice_of_basis(seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(12, 3))
    M = rng.normal(size=(3, 3)) + 3 * np.eye(3)  # invertible
    np.testing.assert_allclose(principal_angles(A, A @ M), 0.0, atol=1e-7)


def test_principal_angles_resolve_tiny_angles():
    theta = 1e-9
    A = np.array([[1.0], [0.0], [0.0]])
    B = np.array([[np.cos(theta)], [np.sin(theta)], [0.0]])
    assert principal_angles(A, B)[0] == pytest.approx(theta, rel=1e-6)


def test_principal_angles_of_orthogonal_spaces_are_right_angles():
    eye = np.eye(4)
    np.testing.assert_allclose(principal_angles(eye[:, :2], eye[:, 2:]), np.pi / 2, atol=1e-12)


@pytest.mark.parametrize(
    ("A", "B", "match"),
    [
        (np.ones((4, 2)), np.eye(4)[:, :1], "A must have full column rank"),
        (np.eye(4)[:, :2], np.eye(3)[:, :1], "A and B must have the same rows"),
        (np.eye(3)[:, :1], np.ones(3), "B must be a finite 2-D array"),
    ],
)
def test_principal_angles_reject_bad_input(A, B, match):
    with pytest.raises(ValueError, match=match):
        principal_angles(A, B)


# --- negatives and the BPR loss -------------------------------------------------------------


def test_sampled_negatives_are_never_chosen_items(small_data):
    users, _ = np.nonzero(small_data.train)
    neg = sample_negatives(small_data.train, users, np.random.default_rng(1))
    assert not small_data.train[users, neg].any()


def test_sampling_negatives_needs_an_unchosen_item():
    with pytest.raises(ValueError, match="at least one item unchosen"):
        sample_negatives([[1, 1]], [0], np.random.default_rng(0))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_bpr_gradient_matches_finite_differences(seed, l2):
    U, V, b, users, pos, neg = _triples(seed)
    shapes = [U.shape, V.shape, b.shape]
    sizes = np.cumsum([0] + [int(np.prod(s)) for s in shapes])

    def f(theta):
        parts = [theta[sizes[i] : sizes[i + 1]].reshape(s) for i, s in enumerate(shapes)]
        return bpr_loss(*parts, users, pos, neg, l2)

    theta = np.concatenate([U.ravel(), V.ravel(), b])
    analytic = np.concatenate([g.ravel() for g in bpr_grad(U, V, b, users, pos, neg, l2)])
    np.testing.assert_allclose(analytic, numerical_gradient(f, theta), atol=1e-8)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=["torch", "tensorflow"])
def test_bpr_loss_and_gradient_equal_autograd(fw):
    args = _triples(7, n_users=5, n_items=8, T=20)
    assert fw.bpr_loss(*args, l2=0.1) == pytest.approx(bpr_loss(*args, l2=0.1), abs=1e-12)
    for mine, theirs in zip(bpr_grad(*args, l2=0.1), fw.bpr_grad(*args, l2=0.1), strict=True):
        np.testing.assert_allclose(theirs, mine, atol=1e-14)


def test_bpr_loss_of_equal_scores_is_log_two():
    U, V, b, users, pos, neg = _triples(1)
    assert bpr_loss(0 * U, 0 * V, 0 * b, users, pos, neg) == pytest.approx(np.log(2), abs=1e-15)


@pytest.mark.parametrize("fw", [None, *FRAMEWORKS], ids=["numpy", "torch", "tensorflow"])
@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"users": [0, 9]}, r"users must have 2 entries in \[0, 2\)"),
        ({"neg": [0]}, r"neg must have 2 entries in \[0, 3\)"),
        ({"pos": [0.0, 1.0]}, "pos must be a non-empty 1-D int array"),
        ({"b": [0.0]}, r"b must have shape \(3,\)"),
        ({"V": np.zeros((3, 2))}, "U and V must be"),
        ({"l2": -1.0}, r"l2 must be a finite number >= 0 \(got l2=-1.0\)"),
    ],
)
def test_bpr_functions_reject_bad_input_alike(fw, change, match):
    args = {
        "U": np.zeros((2, 1)), "V": np.zeros((3, 1)), "b": np.zeros(3),
        "users": [0, 1], "pos": [0, 1], "neg": [2, 2], "l2": 0.0,
    }  # fmt: skip
    grad = bpr_grad if fw is None else fw.bpr_grad
    with pytest.raises(ValueError, match=match):
        grad(**{**args, **change})


# --- training -------------------------------------------------------------------------------


def test_matrix_factorisation_beats_popularity_on_simulated_data(small_data):
    config = torch_rec.BPRConfig(rank=3, epochs=150)
    model, losses = torch_rec.fit_bpr(small_data.train, config, np.random.default_rng(0))
    assert losses[-1] < losses[0] - 0.2
    mf = recall_at_k(model.scores(), small_data.test, 10, exclude=small_data.train)
    pop = recall_at_k(popularity_scores(small_data.train), small_data.test, 10, small_data.train)
    assert mf > pop + 0.05


def test_training_is_reproducible_from_the_generator(small_data):
    config = torch_rec.BPRConfig(rank=2, epochs=5)
    _, a = torch_rec.fit_bpr(small_data.train, config, np.random.default_rng(4))
    _, b = torch_rec.fit_bpr(small_data.train, config, np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rank": 0}, r"rank must be a positive int \(got rank=0\)"),
        ({"epochs": 1.5}, "epochs must be a positive int"),
        ({"l2": -0.1}, "l2 must be a finite number >= 0"),
        ({"lr": 0.0}, "lr must be a finite number >= 1e-12"),
    ],
)
def test_bpr_config_rejects_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        torch_rec.BPRConfig(**kwargs)


def test_fit_bpr_restores_the_thread_count_and_checks_it():
    import torch

    before = torch.get_num_threads()
    torch_rec.fit_bpr(
        np.eye(3, dtype=bool), torch_rec.BPRConfig(epochs=2), np.random.default_rng(0)
    )
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match=r"cpu_threads must be a positive int or None \(got 0\)"):
        torch_rec.fit_bpr(np.eye(3, dtype=bool), torch_rec.BPRConfig(), np.random.default_rng(0),
                          cpu_threads=0)  # fmt: skip


def test_fit_bpr_rejects_empty_data_and_wrong_config():
    with pytest.raises(ValueError, match="train must be a"):
        torch_rec.fit_bpr(np.ones(3, bool), torch_rec.BPRConfig(), np.random.default_rng(0))
    with pytest.raises(ValueError, match="at least one interaction"):
        torch_rec.fit_bpr(np.zeros((2, 3), bool), torch_rec.BPRConfig(), np.random.default_rng(0))
    with pytest.raises(TypeError, match="config must be a BPRConfig"):
        torch_rec.fit_bpr(np.eye(3, dtype=bool), {"rank": 2}, np.random.default_rng(0))
