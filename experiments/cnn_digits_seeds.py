"""Seed spread of the digit CNNs of chapter cnn_digits (book/04_practice/cnn_digits.ipynb).

The chapter trains each network once, with seed 0, and prints verdicts against thresholds.
This script trains the same networks and recipes over several seeds (each seed draws its own
stratified split of the 5,000-image MNIST sample, its own initial weights and its own batch
order and shifts), so that the chapter can show that the margins of its thresholds cover the
seed-to-seed spread.

Variants (PyTorch twin of the chapter's Keras models, float64, 3,500 training images,
500 validation and 1,000 test images):

- ``article_000``: article 000's network and recipe: Adam (learning rate 1e-3), batch 32,
  five epochs, reshuffled every epoch, pixels scaled to [0, 1];
- ``stronger_002``: the chapter's stronger recipe: article 002's network with ten outputs,
  ten epochs, shifts of up to two pixels, cosine learning-rate decay.

Writes experiments/results/cnn_digits_seeds.csv: one row per (variant, seed) with the test and
validation accuracy, the mean training loss of the first epoch, the time, and the provenance
columns. Run: ``PYTHONPATH=experiments .venv/bin/python experiments/cnn_digits_seeds.py``
(``--variants`` and ``--seeds`` run a part, ``--out`` writes it elsewhere; the ``seconds``
column records how long each run took).
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from pathlib import Path

import numpy as np
import torch
from provenance import provenance

from companion.data.mnist import load_mnist_small, random_shift, split_digits
from companion.maths.cnn import ARTICLE_000, ARTICLE_002, init_digit_cnn
from companion.maths.schedules import cosine_decay
from companion.torch.cnn import digit_cnn, set_digit_cnn_weights

SEEDS = range(3)
OUT = Path(__file__).resolve().parent / "results" / "cnn_digits_seeds.csv"
VARIANTS = {  # name: (config, epochs, max shift, cosine decay, scale pixels)
    "article_000": (ARTICLE_000, 5, 0, False, True),
    "stronger_002": (ARTICLE_002, 10, 2, True, True),
}
BATCH, LEARNING_RATE = 32, 1e-3


def to_torch(images: np.ndarray, scale: bool) -> torch.Tensor:
    x = images[:, None].astype(np.float64)  # (N, 1, 28, 28), channels first
    return torch.from_numpy(x / 255.0 if scale else x)


def accuracy(model: torch.nn.Module, images: torch.Tensor, labels: np.ndarray) -> float:
    with torch.no_grad():
        chunks = [model(images[i : i + 250]).argmax(1) for i in range(0, len(images), 250)]
    predicted = torch.cat(chunks)
    return float(np.mean(predicted.numpy() == labels))


def run(variant: str, seed: int, images: np.ndarray, labels: np.ndarray) -> dict:
    config, epochs, shift, cosine, scale = VARIANTS[variant]
    split = split_digits(images, labels, n_test=1000, n_val=500, seed=seed)
    rng = np.random.default_rng([seed, 3])
    model = digit_cnn(config, dtype="float64")
    set_digit_cnn_weights(model, config, init_digit_cnn(config, np.random.default_rng([seed, 2])))
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-7)
    total_steps = epochs * math.ceil(len(split.y_train) / BATCH)
    factor = (lambda step: cosine_decay(step, total_steps)) if cosine else (lambda step: 1.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    start, first_loss = time.perf_counter(), None
    for epoch in range(epochs):
        order = rng.permutation(len(split.y_train))
        x = split.x_train[order]
        if shift:
            x = random_shift(x, shift, rng)
        x, y = to_torch(x, scale), torch.from_numpy(split.y_train[order])
        model.train()
        total = 0.0
        for i in range(0, len(y), BATCH):
            loss = torch.nn.functional.cross_entropy(model(x[i : i + BATCH]), y[i : i + BATCH])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(y[i : i + BATCH])
        if epoch == 0:
            first_loss = total / len(y)
    model.eval()
    return {
        "variant": variant,
        "seed": seed,
        "test_accuracy": accuracy(model, to_torch(split.x_test, scale), split.y_test),
        "val_accuracy": accuracy(model, to_torch(split.x_val, scale), split.y_val),
        "first_epoch_loss": round(first_loss, 4),
        "n_train": len(split.y_train),
        "n_test": len(split.y_test),
        "seconds": round(time.perf_counter() - start, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--seeds", nargs="+", type=int, default=list(SEEDS))
    parser.add_argument("--out", type=Path, default=OUT, help="CSV to write (default: %(default)s)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # one thread: the same sums on every machine, and no spinning
    images, labels = load_mnist_small()
    args.out.parent.mkdir(exist_ok=True)
    with args.out.open("w", newline="") as handle:  # row by row: a stopped run keeps its rows
        writer = None
        for variant in args.variants:
            for seed in args.seeds:
                row = run(variant, seed, images, labels)
                row = {**row, **provenance(), "threads": torch.get_num_threads()}
                print(row, flush=True)
                if writer is None:
                    writer = csv.DictWriter(handle, fieldnames=list(row))
                    writer.writeheader()
                writer.writerow(row)
                handle.flush()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
