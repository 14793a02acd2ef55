"""Seed spread and exercise variants of book/05_applications/image_robustness.

The chapter trains one plain and one augmented digit CNN with seed 0. This script runs the
chapter's code (same split, recipe, corruptions and baselines) for seeds 0, 1 and 2, and, for
seed 0, the variants of its exercises: augmentation with rotations only (Exercise 2), the
3-nearest-neighbour rule given rotated training digits (Exercise 3) and a blur sweep
(Exercise 4). One row per (seed, model, corruption, level) with the accuracy on the 1,000 test
digits, plus the provenance columns.

Run: PYTHONPATH=experiments .venv/bin/python experiments/image_robustness.py
(writes experiments/results/image_robustness.csv; the seeds run in parallel processes, one
thread each; about 5 minutes on 2 CPU cores).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from functools import partial

import numpy as np
import torch
from _chapter_runs import write_results
from scipy import ndimage
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

import companion
from companion.data.mnist import load_mnist_small, random_shift, split_digits
from companion.maths.cnn import ARTICLE_002, init_digit_cnn
from companion.maths.corruptions import accuracy_sweep, add_gaussian_noise, rotate_images
from companion.maths.schedules import cosine_decay
from companion.torch.cnn import digit_cnn, set_digit_cnn_weights

SEEDS = (0, 1, 2)
EPOCHS, BATCH, LEARNING_RATE = 10, 32, 1e-3
ANGLES = [0, 10, 20, 30, 45, 60]
SIGMAS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
BLURS = [0.0, 0.5, 1.0, 1.5, 2.0]


def augment_both(x, rng):
    x = rotate_images(x, rng.uniform(-30, 30, size=len(x)))
    return add_gaussian_noise(x, rng.uniform(0, 0.3, size=len(x)), rng)


def augment_rotations(x, rng):
    return rotate_images(x, rng.uniform(-30, 30, size=len(x)))


def blur(x, s):
    return np.clip(ndimage.gaussian_filter(x, sigma=(0, s, s)), 0.0, 1.0)


def run(seed: int) -> list[dict]:
    rt = companion.setup(seed=seed, frameworks=("torch",))
    torch.set_num_threads(1)  # one process per seed, one thread each
    device = rt.torch_device()
    images, labels = load_mnist_small()
    split = split_digits(images, labels, n_test=1000, n_val=500, seed=rt.seed)
    x_train, x_test = split.x_train / 255.0, split.x_test / 255.0
    y_train, y_test = split.y_train, split.y_test

    def train_digit_cnn(rng, augment=None):  # the chapter's function
        model = digit_cnn(ARTICLE_002, dtype="float64").to(device)
        set_digit_cnn_weights(model, ARTICLE_002, init_digit_cnn(ARTICLE_002, rt.rng(1)))
        total_steps = EPOCHS * math.ceil(len(y_train) / BATCH)
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-7)
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, partial(cosine_decay, total_steps=total_steps)
        )
        for _ in range(EPOCHS):
            order = rng.permutation(len(y_train))
            x = random_shift(x_train[order], 2, rng)
            if augment is not None:
                x = augment(x, rng)
            x = torch.from_numpy(x[:, None]).to(device)
            y = torch.from_numpy(y_train[order]).to(device)
            model.train()
            for i in range(0, len(y), BATCH):
                loss = torch.nn.functional.cross_entropy(model(x[i : i + BATCH]), y[i : i + BATCH])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                scheduler.step()
        return model.eval()

    @torch.no_grad()
    def cnn_predict(model, x):
        logits = model(torch.from_numpy(np.ascontiguousarray(x[:, None])).to(device))
        return logits.argmax(dim=1).cpu().numpy()

    def pixels(model):
        return lambda x: model.predict(x.reshape(len(x), -1))

    flat = x_train.reshape(len(x_train), -1)
    predictors = {
        "CNN": partial(cnn_predict, train_digit_cnn(rt.rng(100))),
        "CNN, augmented": partial(cnn_predict, train_digit_cnn(rt.rng(101), augment_both)),
        "logistic regression": pixels(LogisticRegression(C=0.1, max_iter=2000).fit(flat, y_train)),
        "3-nearest neighbours": pixels(KNeighborsClassifier(n_neighbors=3).fit(flat, y_train)),
    }
    corruptions = {
        "rotation": (lambda x, angle: rotate_images(x, angle), ANGLES),
        "noise": (lambda x, sigma: add_gaussian_noise(x, sigma, rt.rng(5)), SIGMAS),
    }
    if seed == 0:  # the exercises' variants
        predictors["CNN, rotations only"] = partial(
            cnn_predict, train_digit_cnn(rt.rng(101), augment_rotations)
        )
        rotated = rotate_images(x_train, rt.rng(102).uniform(-30, 30, size=len(x_train)))
        both = np.concatenate([x_train, rotated]).reshape(2 * len(x_train), -1)
        predictors["3-nearest neighbours, rotated training digits"] = pixels(
            KNeighborsClassifier(n_neighbors=3).fit(both, np.concatenate([y_train, y_train]))
        )
        corruptions["blur"] = (blur, BLURS)
    rows = []
    for corruption, (corrupt, levels) in corruptions.items():
        sweep = accuracy_sweep(predictors, x_test, y_test, corrupt, levels)
        for model, accuracies in sweep.items():
            for level, accuracy in zip(levels, accuracies, strict=True):
                rows.append(
                    {
                        "seed": seed,
                        "model": model,
                        "corruption": corruption,
                        "level": level,
                        "accuracy": f"{accuracy:.3f}",
                    }
                )
    return rows


def main() -> None:
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(len(SEEDS)) as pool:  # seeds in parallel
        rows = [row for rows_of_seed in pool.map(run, SEEDS) for row in rows_of_seed]
    seconds = {"seconds": f"{time.perf_counter() - start:.0f}"}
    out = write_results("image_robustness", [row | seconds for row in rows])
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
