"""Training throughput of the book's digit CNN and MiniLM fine-tuning step, on this machine.

Usage: python tools/throughput.py [--out companion/data/csv/throughput.csv]

For each variant (batch size; fp32 or bf16 autocast; eager or SDPA attention; with or without
``torch.compile``) it times the training step with :func:`companion.torch.throughput.
time_training_step` (warm-up excluded, CUDA synchronised, median of repeats) and writes one
row: samples/s, tokens/s, the first step alone (compilation included), the model FLOP per
sample and, on a GPU whose dense BF16 peak is in the accelerator table, the model FLOP
utilisation. Rows of the device it ran on replace that device's old rows; rows of other
devices are kept. Compilation writes its caches into a new, empty directory on every run, so
``first_step_s`` is a cold compile. (Switching the caches off instead, with
``TORCHINDUCTOR_FORCE_DISABLE_CACHES=1``, also slowed every later compiled step of the CNN
about sevenfold on this book's CPU runs, so it would not measure steady-state speed.)
Chapter "Training fast" (book/04_practice/training_fast) plots the result.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/
sys.path.insert(1, str(Path(__file__).resolve().parent.parent / "tests"))  # toc.py
from bench import cpu_model  # noqa: E402


@dataclass(frozen=True)
class Variant:
    """One measured configuration."""

    model: str
    batch_size: int
    precision: str = "fp32"
    attention: str = "n/a"
    compiled: bool = False


CNN = "digit CNN"
MINILM = "all-MiniLM-L6-v2 fine-tuning"
SEQ_LEN = 64
VARIANTS: tuple[Variant, ...] = (
    # the CNN: batch size, precision, compilation
    *(Variant(CNN, b, p) for p in ("fp32", "bf16") for b in (32, 128, 512)),
    *(Variant(CNN, 128, p, compiled=True) for p in ("fp32", "bf16")),
    # the encoder: batch size, attention kernel, precision, compilation
    Variant(MINILM, 8, "fp32", "sdpa"),
    *(Variant(MINILM, 32, p, a) for p in ("fp32", "bf16") for a in ("eager", "sdpa")),
    *(Variant(MINILM, 32, p, "sdpa", compiled=True) for p in ("fp32", "bf16")),
)


def device_name(device) -> str:
    """The GPU's name, or the CPU's model name (as in bench.py)."""
    import torch

    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return cpu_model()


def cnn_case(variant: Variant, device, rng_seed: int = 0):
    """A fresh digit CNN, its optimiser and a random batch of 28x28 images."""
    import torch

    from companion.torch.cnn import digit_cnn

    generator = torch.Generator().manual_seed(rng_seed)
    model = digit_cnn().to(device).train()
    x = torch.rand(variant.batch_size, 1, 28, 28, generator=generator).to(device)
    y = torch.randint(0, 10, (variant.batch_size,), generator=generator).to(device)
    return model, (x,), y


def minilm_case(variant: Variant, device, encoders: dict, rng_seed: int = 0):
    """A fresh classifier on a copy of the pretrained encoder and a batch of token ids."""
    import torch

    from companion.torch.finetune import SentenceClassifier

    generator = torch.Generator().manual_seed(rng_seed)
    encoder = copy.deepcopy(encoders[variant.attention])
    model = SentenceClassifier(encoder, n_classes=3).to(device).train()
    vocab = encoder.config.vocab_size
    ids = torch.randint(1000, vocab, (variant.batch_size, SEQ_LEN), generator=generator)
    mask = torch.ones_like(ids)  # every position a real token: tokens/s = samples/s * 64
    y = torch.randint(0, 3, (variant.batch_size,), generator=generator)
    return model, (ids.to(device), mask.to(device)), y.to(device)


def minilm_matmul_params(model) -> int:
    """N of 6·N·T: the weights of the encoder layers' linear maps (embeddings excluded)."""
    import torch

    return sum(
        m.weight.numel() for m in model.encoder.encoder.modules() if isinstance(m, torch.nn.Linear)
    )


def measure(variant: Variant, device, encoders: dict, peak: float | None) -> dict[str, str]:
    """Time one variant; return its row (numbers as text)."""
    import torch

    from companion.maths.utilisation import flop_utilisation
    from companion.torch.throughput import count_step_flops, time_training_step, training_step

    torch.manual_seed(0)
    torch._dynamo.reset()
    if variant.model == CNN:
        model, inputs, targets = cnn_case(variant, device)
        counted = count_step_flops(
            training_step(model, torch.optim.SGD(model.parameters(), lr=0.0), inputs, targets)
        )
        flop_per_sample = counted / variant.batch_size
        repeats, steps = (5, 5) if device.type == "cpu" else (10, 20)
    else:
        model, inputs, targets = minilm_case(variant, device, encoders)
        flop_per_sample = 6.0 * minilm_matmul_params(model) * SEQ_LEN
        repeats, steps = (3, 1) if device.type == "cpu" else (10, 10)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
    runnable = torch.compile(model) if variant.compiled else model
    step = training_step(runnable, optimizer, inputs, targets, precision=variant.precision)
    timing = time_training_step(
        step,
        batch_size=variant.batch_size,
        device=device,
        warmup=2,
        repeats=repeats,
        steps_per_repeat=steps,
    )
    samples = timing.samples_per_s
    mfu = "" if peak is None else f"{float(flop_utilisation(flop_per_sample * samples, peak)):.4f}"
    return {
        "model": variant.model,
        "batch_size": str(variant.batch_size),
        "seq_len": str(SEQ_LEN) if variant.model == MINILM else "",
        "precision": variant.precision,
        "attention": variant.attention,
        "compiled": str(variant.compiled),
        "first_step_s": f"{timing.first_step_s:.3g}",
        "samples_per_s": f"{samples:.4g}",
        "tokens_per_s": f"{samples * SEQ_LEN:.4g}" if variant.model == MINILM else "",
        "flop_per_sample": f"{flop_per_sample:.6g}",
        "mfu": mfu,
    }


def load_encoders() -> dict:
    from companion.torch.encoders import load_encoder

    return {a: load_encoder(pretrained=True, attn_implementation=a)[1] for a in ("eager", "sdpa")}


def _load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def run(out: Path, variants: tuple[Variant, ...] = VARIANTS, say: Callable = print) -> Path:
    """Measure every variant on the device ``companion.setup`` picks; merge into ``out``."""
    import pandas as pd
    import torch

    import companion
    from companion.data.accelerators import peak_bf16_flop_per_s
    from companion.data.throughput import THROUGHPUT_COLUMNS, load_throughput, replace_device_rows

    rt = companion.setup(seed=0, frameworks=("torch",), deterministic=False, style=False)
    torch.backends.cuda.matmul.allow_tf32 = False  # PyTorch's default: fp32 rows are fp32
    device = rt.torch_device()
    name = device_name(device)
    peak, peak_note = None, "no MFU on a CPU: no published peak"
    if device.type == "cuda":
        try:
            peak = peak_bf16_flop_per_s(name)
            peak_note = f"MFU against the dense BF16 peak, {peak / 1e12:g} TFLOP/s"
        except ValueError as error:
            peak_note = f"no MFU: {error}"
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    load_start = _load_average()
    encoders = load_encoders()
    rows = []
    for variant in variants:
        row = measure(variant, device, encoders, peak)
        say(
            f"{variant.model:30} batch {variant.batch_size:4} {variant.precision} "
            f"{variant.attention:5} compiled={variant.compiled!s:5}  "
            f"{row['samples_per_s']:>8} samples/s  first step {row['first_step_s']} s"
        )
        rows.append(row)
    cores = os.cpu_count() or 1
    note = (
        f"{peak_note}; 1-minute load average {load_start} at start and {_load_average()} at end "
        f"on {cores} CPU cores; cold compile caches"
    )
    common = {
        "date": today,
        "device": device.type,
        "device_name": name,
        "cpu_threads": str(torch.get_num_threads()),
        "torch": torch.__version__,
        "transformers": metadata.version("transformers"),
        "source": f"measured with `make bench` (tools/throughput.py) on {name}, {today}",
        "note": note,
    }
    new = pd.DataFrame([{**common, **row} for row in rows])[list(THROUGHPUT_COLUMNS)]
    if out.is_file():
        old = pd.read_csv(out, dtype=str, keep_default_na=False)
    else:
        old = pd.DataFrame(columns=list(THROUGHPUT_COLUMNS))
    merged = replace_device_rows(old, new)
    tmp = out.with_suffix(".tmp")
    merged.to_csv(tmp, index=False)
    load_throughput(tmp)  # validate before replacing the shipped table
    tmp.replace(out)
    say(f"{len(new)} rows for {device.type} ({name}) written to {out}")
    return out


def main(argv: list[str] | None = None) -> int:
    from companion.data.throughput import THROUGHPUT_PATH

    cache = tempfile.mkdtemp(prefix="llmbook-inductor-")  # before torch: cold compiles
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache
    os.environ["TRITON_CACHE_DIR"] = os.path.join(cache, "triton")

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=THROUGHPUT_PATH)
    args = parser.parse_args(argv)
    print(f"torch {metadata.version('torch')}, python {platform.python_version()}")
    try:
        run(args.out)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
