"""Seed spread of book/04_practice/deployment.

The chapter fine-tunes the sentence classifier for one epoch with seed 0, exports it to ONNX,
quantises it to int8 and checks the fp32 accuracy, the accuracy lost to int8, the agreement
of int8 with fp32 and the file-size ratio against thresholds. This script runs the whole
chapter, unchanged apart from the seed (which also changes the split), for seeds 0, 1 and 2:
one row per run with the quantities the checks bound (no timings). (Seed 0 on other CPU paths
is what ``make test-portable`` checks.)

Run: PYTHONPATH=experiments .venv/bin/python experiments/deployment.py
(writes experiments/results/deployment.csv; three runs of the chapter, each about as
long as the chapter's own run in bench/notebooks-cpu.csv on quiet cores).
"""

from __future__ import annotations

from _chapter_runs import run_all

NOTEBOOK = "book/04_practice/deployment.ipynb"
RUNS = [(0, "default"), (1, "default"), (2, "default")]
PROBE = """
import json
print("RESULT " + json.dumps({
    "test_sentences": int(len(y_test)),
    "fp32_accuracy": float(accuracy_fp32),
    "int8_accuracy": float(accuracy_score(y_test, predictions["ONNX Runtime int8"])),
    "accuracy_drop": float(accuracy_drop),
    "int8_agreement": float(agreement),
    "onnx_fp32_agreement": float(np.mean(logits_onnx.argmax(axis=1) == pred_fp32)),
    "size_ratio": float(size_ratio),
}))
"""


def main() -> None:
    run_all("deployment", NOTEBOOK, RUNS, PROBE)


if __name__ == "__main__":
    main()
