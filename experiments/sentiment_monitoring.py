"""The exercises of book/05_applications/sentiment_monitoring, run with the chapter's code.

The chapter calibrates its detectors for a rise of the negative share from p0 = 0.1 to
p1 = 0.3 at ARL0 = 3,000. This script reruns the chapter's pipeline (same split, encoder,
classifier, streams and seeds) for that setting and for the variants of Exercises 1 to 3:

- ``p1=0.2``: detectors recalibrated and tested for a smaller change (Exercise 1);
- ``test p1=0.5``: the chapter's detectors on test streams with a larger change (Exercise 2);
- ``ARL0=10000``: the target raised, with calibration streams of 80,000 items (Exercise 3).

One row per setting, with the seed, the measured values and the provenance columns.

Run: PYTHONPATH=experiments .venv/bin/python experiments/sentiment_monitoring.py
(writes experiments/results/sentiment_monitoring.csv; about 5 minutes on 2 CPU cores).
"""

from __future__ import annotations

import time
from functools import partial

import numpy as np
from _chapter_runs import write_results
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

import companion
from companion.data.phrasebank import LABELS, load_phrasebank, split_phrasebank
from companion.maths.changepoint import (
    NO_ALARM,
    average_run_length,
    bernoulli_llr,
    calibrate_threshold,
    cusum,
    ewma,
    first_alarm,
)
from companion.torch.encoders import encode, load_encoder

P0, TAU, LENGTH, N_TEST = 0.10, 300, 600, 200
LAMBDAS = (0.02, 0.05, 0.1)
H_GRID = np.round(np.arange(0.01, 12, 0.01), 2)
LEVEL_GRID = np.round(np.arange(0.001, 1, 0.001), 3)
SETTINGS = {  # name: (p1 tuned for, p1 of the test streams, ARL0, calibration stream length)
    "chapter": (0.30, 0.30, 3000, 24_000),
    "p1=0.2": (0.20, 0.20, 3000, 24_000),
    "test p1=0.5": (0.30, 0.50, 3000, 24_000),
    "ARL0=10000": (0.30, 0.30, 10_000, 80_000),
}


def predictions(rt):
    """The chapter's classifier: labels and predicted classes of the validation and test parts."""
    phrases = load_phrasebank("allagree")
    split = split_phrasebank(phrases, val_frac=0.1, test_frac=0.2, seed=rt.seed)
    parts = {"train": split.train, "val": split.val, "test": split.test}
    y = {name: part["label_id"].to_numpy() for name, part in parts.items()}
    tokenizer, encoder = load_encoder()
    X = {
        name: encode(part["sentence"].tolist(), tokenizer, encoder, batch_size=64, device=rt.device)
        for name, part in parts.items()
    }
    X = {name: E / np.linalg.norm(E, axis=1, keepdims=True) for name, E in X.items()}

    def classifier(C):
        return LogisticRegression(C=C, max_iter=10_000, tol=1e-6)

    val_f1 = {}
    for C in (0.3, 1.0, 3.0):
        model = classifier(C).fit(X["train"], y["train"])
        val_f1[C] = f1_score(y["val"], model.predict(X["val"]), average="macro")
    model = classifier(max(val_f1, key=val_f1.get)).fit(X["train"], y["train"])
    return y, {name: model.predict(X[name]) for name in ("val", "test")}


def draw_streams(rng, labels, negative_label, n_streams, length, change_at, before, after):
    negative = np.flatnonzero(labels == negative_label)
    other = np.flatnonzero(labels != negative_label)
    share = np.where(np.arange(length) < change_at, before, after)
    is_negative = rng.random((n_streams, length)) < share
    shape = (n_streams, length)
    return np.where(is_negative, rng.choice(negative, shape), rng.choice(other, shape))


def run(rt, y, predicted, p1, p1_test, arl0, calibration_length):
    negative_label = LABELS.index("negative")
    neg = y["val"] == negative_label
    a = np.mean(predicted["val"][neg] == negative_label)
    b = np.mean(predicted["val"][~neg] == negative_label)
    q0, q1 = P0 * a + (1 - P0) * b, p1 * a + (1 - p1) * b
    kl = q1 * np.log(q1 / q0) + (1 - q1) * np.log((1 - q1) / (1 - q0))
    draw = partial(draw_streams, labels=y["val"], negative_label=negative_label)
    calm = draw(rt.rng(20), n_streams=300, length=calibration_length,
                change_at=calibration_length, before=P0, after=P0)  # fmt: skip
    changing = draw(rt.rng(21), n_streams=300, length=LENGTH, change_at=TAU, before=P0, after=p1)
    calls = predicted["val"] == negative_label

    def cusum_statistic(x):
        return cusum(bernoulli_llr(x, q0, q1))

    def ewma_statistic(x, lam):
        return ewma(x, lam, start=q0)

    def mean_delay(statistic, threshold):
        alarms = first_alarm(statistic, threshold)
        return np.mean(alarms[alarms >= TAU] - TAU)

    h = calibrate_threshold(cusum_statistic(calls[calm]), arl0, H_GRID)
    tuning = {}
    for lam in LAMBDAS:
        statistic = partial(ewma_statistic, lam=lam)
        level = calibrate_threshold(statistic(calls[calm]), arl0, LEVEL_GRID)
        tuning[lam] = (mean_delay(statistic(calls[changing]), level), statistic, level)
    best_lam = min(tuning, key=lambda lam: tuning[lam][0])
    del calm

    test_calls = predicted["test"] == negative_label
    test_changing = draw_streams(rt.rng(30), y["test"], negative_label, N_TEST, LENGTH, TAU,
                                 P0, p1_test)  # fmt: skip
    out = {}
    for name, statistic, threshold in [
        ("cusum", cusum_statistic, h),
        ("ewma", tuning[best_lam][1], tuning[best_lam][2]),
    ]:
        alarms = first_alarm(statistic(test_calls[test_changing]), threshold)
        false_alarm = (alarms != NO_ALARM) & (alarms < TAU)
        detected = alarms >= TAU
        out[name] = (false_alarm, detected, np.where(detected, alarms - TAU, -1))
    test_calm = draw_streams(rt.rng(31), y["test"], negative_label, 300, calibration_length,
                             calibration_length, P0, P0)  # fmt: skip
    arl_test = average_run_length(cusum_statistic(test_calls[test_calm]), h)
    (fa_c, det_c, delay_c), (fa_e, det_e, delay_e) = out["cusum"], out["ewma"]
    both = det_c & det_e
    difference = delay_e[both] - delay_c[both]
    return {
        "q1": f"{q1:.3f}",
        "kl": f"{kl:.3f}",
        "h": f"{h:.2f}",
        "h_over_kl": f"{h / kl:.0f}",
        "ewma_lambda": f"{best_lam:g}",
        "ewma_level": f"{tuning[best_lam][2]:.3f}",
        "cusum_false_alarm_share": f"{fa_c.mean():.3f}",
        "cusum_mean_delay": f"{delay_c[det_c].mean():.1f}",
        "cusum_median_delay": f"{np.median(delay_c[det_c]):.0f}",
        "cusum_no_alarm": int(np.sum(~fa_c & ~det_c)),
        "ewma_false_alarm_share": f"{fa_e.mean():.3f}",
        "ewma_mean_delay": f"{delay_e[det_e].mean():.1f}",
        "ewma_median_delay": f"{np.median(delay_e[det_e]):.0f}",
        "ewma_minus_cusum_delay": f"{difference.mean():.1f}",
        "ewma_minus_cusum_se": f"{difference.std(ddof=1) / np.sqrt(both.sum()):.1f}",
        "cusum_test_arl0": f"{arl_test:.0f}",
    }


def main() -> None:
    start = time.perf_counter()
    rt = companion.setup(seed=0, frameworks=("torch",))
    y, predicted = predictions(rt)
    rows = []
    for name, (p1, p1_test, arl0, calibration_length) in SETTINGS.items():
        row = {"seed": rt.seed, "setting": name, "p1": p1, "p1_test": p1_test, "arl0": arl0,
               "calibration_length": calibration_length}  # fmt: skip
        rows.append(row | run(rt, y, predicted, p1, p1_test, arl0, calibration_length))
        print(f"{name} done after {time.perf_counter() - start:.0f} s: {rows[-1]}", flush=True)
    seconds = {"seconds": f"{time.perf_counter() - start:.0f}"}
    out = write_results("sentiment_monitoring", [row | seconds for row in rows])
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
