"""Seed spread of book/03_math/lora.

The chapter fine-tunes all-MiniLM-L6-v2 on Financial PhraseBank (all annotators agree) for one
epoch, once with LoRA (r = 8 on W_q and W_v) and once with every weight trained, with seed 0,
and prints verdicts: each model's test accuracy above a threshold, and each model's macro-F1
above the TF-IDF baseline's by a margin. This script runs the whole chapter, unchanged apart
from the seed (which changes the split, the initialisation of the adapters and the head, and
the batch order), for seeds 0, 1 and 2: one row per run with the scores the verdicts bound and
the thresholds; and seed 0 again on two other CPU paths (AVX2 kernels, one thread), to
measure how far a machine moves the scores.

Run: PYTHONPATH=experiments .venv/bin/python experiments/lora.py
(writes experiments/results/lora.csv; five runs of the chapter, each about as long as the
chapter's own run).
"""

from __future__ import annotations

from _chapter_runs import run_all

NOTEBOOK = "book/03_math/lora.ipynb"
RUNS = [(0, "default"), (1, "default"), (2, "default"), (0, "avx2"), (0, "one thread")]
PROBE = """
import json
print("RESULT " + json.dumps({
    "n_test": int(len(y_test)),
    "acc_baseline": float(acc_baseline),
    "f1_baseline": float(f1_baseline),
    "acc_lora": float(acc_lora),
    "f1_lora": float(f1_lora),
    "acc_full": float(acc_full),
    "f1_full": float(f1_full),
    "min_acc_lora": float(MIN_ACC_LORA),
    "min_acc_full": float(MIN_ACC_FULL),
    "min_f1_gain": float(MIN_F1_GAIN),
    "seconds_lora": float(seconds_lora),
    "seconds_full": float(seconds_full),
}))
"""


def main() -> None:
    run_all("lora", NOTEBOOK, RUNS, PROBE)


if __name__ == "__main__":
    main()
