"""pytest plugin (``-p nbtwice --nbval-twice``): each notebook runs twice in one kernel.

nbval executes a notebook's cells in a fresh kernel and compares each output with the stored
one. With ``--nbval-twice`` every cell is then executed a second time, in the same kernel,
and compared with the stored output again. That is the reader who runs a chapter, then runs
it again from the top without restarting: ``companion.setup`` re-seeds everything, and no
cell may depend on state left by the first run (CONTRIBUTING.md).

One pass does both checks of ``make test`` (stored outputs, and the same-kernel re-run) with
one kernel start and one set of imports per notebook; ``tests/rerun`` is the standalone form.
The second run's items are named ``Cell N (second run)``.
"""

from __future__ import annotations

import copy

import pytest

SECOND = " (second run)"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--nbval-twice",
        action="store_true",
        help="run every notebook a second time in the same kernel and compare again",
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("nbval_twice"):
        return
    from nbval.plugin import IPyNbCell

    ordered: list[pytest.Item] = []
    group: list[pytest.Item] = []

    def flush() -> None:
        ordered.extend(group)
        ordered.extend(
            IPyNbCell.from_parent(
                item.parent,
                name=item.name + SECOND,
                cell_num=item.cell_num,
                # a copy: nbval merges the stored streams of a cell in place when it compares
                # them, so the first run would leave the second a changed reference
                cell=copy.deepcopy(item.cell),
                options=item.options,
            )
            for item in group
        )
        group.clear()

    for item in items:
        if not isinstance(item, IPyNbCell):
            flush()
            ordered.append(item)
            continue
        if group and item.parent is not group[0].parent:
            flush()
        group.append(item)
    flush()
    items[:] = ordered
