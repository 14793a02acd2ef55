"""companion.torch.throughput and companion.data.throughput: timing, FLOP counts, the table."""

from __future__ import annotations

import pandas as pd
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from companion.data.throughput import (
    THROUGHPUT_COLUMNS,
    load_throughput,
    replace_device_rows,
)
from companion.torch.throughput import (
    count_step_flops,
    time_training_step,
    training_step,
)


def _mlp(widths):
    layers = [nn.Linear(a, b, bias=False) for a, b in zip(widths, widths[1:], strict=False)]
    return nn.Sequential(*layers)


# --- timing -------------------------------------------------------------------------------


def test_timing_excludes_warmup_and_takes_the_median():
    calls = []
    timing = time_training_step(
        lambda: calls.append(1), batch_size=4, warmup=3, repeats=5, steps_per_repeat=2
    )
    assert len(calls) == 3 + 5 * 2
    assert len(timing.repeats) == 5
    assert timing.seconds_per_step == sorted(timing.repeats)[2]
    assert timing.samples_per_s == pytest.approx(4 / timing.seconds_per_step)


@pytest.mark.parametrize("name", ["batch_size", "warmup", "repeats", "steps_per_repeat"])
@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_timing_counts_must_be_positive_ints(name, value):
    kwargs = {"batch_size": 1, name: value}
    with pytest.raises(ValueError, match=f"{name} must be an int of at least 1"):
        time_training_step(lambda: None, **kwargs)


# --- the training step --------------------------------------------------------------------


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_training_step_lowers_the_loss_on_a_fixed_batch(precision):
    torch.manual_seed(0)
    model = _mlp([8, 16, 3])
    x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
    step = training_step(
        model, torch.optim.SGD(model.parameters(), lr=0.5), (x,), y, precision=precision
    )
    first = step()
    for _ in range(20):
        last = step()
    assert last < first and not last.requires_grad


def test_bf16_autocast_runs_the_matmul_in_bf16_and_keeps_fp32_weights():
    model = nn.Linear(4, 2)
    seen = []
    model.register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    step = training_step(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1),
        (torch.ones(3, 4),),
        torch.tensor([0, 1, 0]),
        precision="bf16",
    )
    step()
    assert seen == [torch.bfloat16] and model.weight.dtype == torch.float32


def test_unknown_precision_is_named():
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="precision must be one of"):
        training_step(
            model,
            torch.optim.SGD(model.parameters(), lr=0.1),
            (torch.ones(1, 2),),
            torch.tensor([0]),
            precision="fp16",
        )


# --- FLOP counts: 2N forward + 4N backward per sample --------------------------------------


@given(widths=st.lists(st.integers(1, 12), min_size=2, max_size=5), batch=st.integers(1, 6))
def test_counted_flops_are_six_n_per_sample_minus_the_first_input_gradient(widths, batch):
    model = _mlp(widths)
    x, y = torch.randn(batch, widths[0]), torch.randint(0, widths[-1], (batch,))
    flops = count_step_flops(
        training_step(model, torch.optim.SGD(model.parameters(), lr=0.0), (x,), y)
    )
    n = sum(p.numel() for p in model.parameters())
    first = widths[0] * widths[1]  # nobody needs dL/dx of the input
    assert flops == batch * (6 * n - 2 * first)


def test_counted_flops_are_six_n_when_the_input_needs_a_gradient():
    model = _mlp([5, 7, 3])
    x = torch.randn(4, 5, requires_grad=True)
    flops = count_step_flops(lambda: model(x).sum().backward())
    assert flops == 6 * 4 * sum(p.numel() for p in model.parameters())


# --- the measured table -------------------------------------------------------------------


def test_shipped_table_is_valid_and_sourced():
    table = load_throughput()
    assert len(table) > 0
    assert table["source"].str.contains(r"make bench").all()
    assert (table.loc[table["device"] == "cpu", "mfu"].isna()).all()


def _table_text():
    return pd.DataFrame(
        [
            {
                "date": "2026-11-25",
                "device": "cpu",
                "device_name": "x",
                "cpu_threads": "2",
                "torch": "2",
                "transformers": "5",
                "model": "digit CNN",
                "batch_size": "32",
                "seq_len": "",
                "precision": "fp32",
                "attention": "n/a",
                "compiled": "False",
                "first_step_s": "0.1",
                "samples_per_s": "100",
                "tokens_per_s": "",
                "flop_per_sample": "1e7",
                "mfu": "",
                "source": "measured with `make bench` (tools/throughput.py) on x, 2026-11-25",
                "note": "",
            }
        ]
    )


def _write(tmp_path, df):
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    return path


def test_a_good_row_loads(tmp_path):
    table = load_throughput(_write(tmp_path, _table_text()))
    assert table.loc[0, "batch_size"] == 32 and not table.loc[0, "compiled"]


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"precision": "fp16"}, "precision must be one of"),
        ({"device": "tpu"}, "device must be one of"),
        ({"compiled": "yes"}, "compiled must be one of"),
        ({"samples_per_s": ""}, "samples_per_s must be a positive number"),
        ({"samples_per_s": "-3"}, "samples_per_s must be a positive number"),
        ({"tokens_per_s": "abc"}, "tokens_per_s must be empty or a positive number"),
        ({"mfu": "0.3"}, "CPU rows have no published peak"),
        ({"device": "cuda", "mfu": "1.5"}, r"mfu must lie in \(0, 1\]"),
        ({"source": "typed in by hand"}, "source must start with"),
    ],
)
def test_bad_rows_are_named(tmp_path, changes, match):
    df = _table_text().assign(**changes)
    with pytest.raises(ValueError, match=match):
        load_throughput(_write(tmp_path, df))


def test_repeated_variant_and_wrong_columns_are_rejected(tmp_path):
    with pytest.raises(ValueError, match=r"duplicate \['device', 'model', .*\(in rows \[0, 1\]\)"):
        load_throughput(_write(tmp_path, pd.concat([_table_text()] * 2)))
    with pytest.raises(ValueError, match="columns must be"):
        load_throughput(_write(tmp_path, _table_text().drop(columns="note")))


def test_replacing_rows_keeps_the_other_device():
    cpu, gpu = _table_text(), _table_text().assign(device="cuda", date="old")
    table = pd.concat([cpu, gpu], ignore_index=True)
    fresh = _table_text().assign(date="new")
    merged = replace_device_rows(table, fresh)
    assert sorted(zip(merged["device"], merged["date"], strict=True)) == [
        ("cpu", "new"),
        ("cuda", "old"),
    ]
    assert tuple(merged.columns) == THROUGHPUT_COLUMNS


def test_replacing_needs_rows_of_one_device():
    mixed = pd.concat([_table_text(), _table_text().assign(device="cuda")])
    with pytest.raises(ValueError, match="rows must come from one device"):
        replace_device_rows(_table_text(), mixed)
    with pytest.raises(ValueError, match="rows must be non-empty"):
        replace_device_rows(_table_text(), _table_text().iloc[:0])
