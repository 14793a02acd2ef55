"""Seed spread of book/04_practice/tiny_bert.

The chapter pre-trains a 0.8-million-parameter BERT with seed 0 and checks that its held-out
masked-token loss and top-5 accuracy beat the unigram baseline by stated margins. This script
runs the whole chapter, unchanged apart from the seed (which changes the held-out split, the
vocabulary, the initialisation and the batches), for seeds 0, 1 and 2: one row per run with
the model's and the baseline's held-out loss and top-k accuracies, and the gaps the chapter's
margins bound. (Seed 0 on other CPU paths is what ``make test-portable`` checks.)

Run: PYTHONPATH=experiments .venv/bin/python experiments/tiny_bert.py
(writes experiments/results/tiny_bert.csv; three runs of the chapter, each about as
long as the chapter's own run in bench/notebooks-cpu.csv on quiet cores).
"""

from __future__ import annotations

from _chapter_runs import run_all

NOTEBOOK = "book/04_practice/tiny_bert.ipynb"
RUNS = [(0, "default"), (1, "default"), (2, "default")]
PROBE = """
import json
print("RESULT " + json.dumps({
    "heldout_masked_tokens": int(len(heldout_targets)),
    "model_loss": float(final_loss),
    "unigram_loss": float(unigram_ce),
    "loss_gap": float(unigram_ce - final_loss),
    "model_top1": float(top_k_accuracy(final_logits, heldout_targets, k=1)),
    "unigram_top1": float(top_k_accuracy(p_unigram, heldout_targets, k=1)),
    "model_top5": float(model_top5),
    "unigram_top5": float(unigram_top5),
    "top5_gap": float(model_top5 - unigram_top5),
}))
"""


def main() -> None:
    run_all("tiny_bert", NOTEBOOK, RUNS, PROBE)


if __name__ == "__main__":
    main()
