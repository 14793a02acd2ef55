"""Every way into the book installs what it needs from one setting (CONTRIBUTING.md).

- The repository URL is written once, in ``pyproject.toml``; ``_config.yml`` repeats it for the
  theme's buttons (checked equal), and the chapters' first cells are generated from it by
  ``tools/first_cells.py``. Any other copy fails here.
- Each chapter's first cell installs exactly the extras its imports need, from the release
  tag ``v<version>`` of ``pyproject.toml`` (not the default branch's head).
- Install and offline hints name what actually works.
"""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest
import tomllib
import yaml
from toc import BOOK, ROOT, toc_notebooks

sys.path.insert(0, str(ROOT / "tools"))
import first_cells  # noqa: E402

from companion import install  # noqa: E402

NOTEBOOKS = toc_notebooks()
IDS = [str(p.relative_to(BOOK)) for p in NOTEBOOKS]
URL = first_cells.repository_url()
PINNED = first_cells.pinned_url()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in out.stdout.splitlines() if line]


def test_config_repository_is_the_pyproject_url():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["repository"]["url"] == URL


def test_the_repository_url_is_written_nowhere_else():
    host_path = URL.split("://", 1)[1].split("/", 1)[1]  # owner/name
    allowed = {"pyproject.toml", "_config.yml"}
    copies = []
    for name in _tracked_files():
        path = ROOT / name
        if name in allowed or not path.is_file() or path.suffix in {".png", ".svg", ".zip"}:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if host_path not in text:
            continue
        if path.suffix == ".ipynb":  # only the generated first cell may carry it
            nb = nbformat.reads(text, as_version=4)
            first = next(c for c in nb.cells if c.cell_type == "code")
            rest = [c for c in nb.cells if c is not first]
            if any(host_path in c.source or host_path in str(c.get("outputs")) for c in rest):
                copies.append(name)
            continue
        copies.append(name)
    assert not copies, f"the repository URL is copied into {copies}: read it from pyproject.toml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_cell_installs_the_extras_the_chapter_imports(path):
    nb = nbformat.read(path, as_version=4)
    source, extras = first_cells.render(nb, PINNED)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.source == source and nb.metadata.get("companion", {}).get("extras") == extras, (
        f"first cell or companion.extras metadata is stale: run python tools/first_cells.py {path}"
    )
    assert set(extras) <= set(PYPROJECT["optional-dependencies"])


def test_first_cells_pin_the_companion_to_the_release_tag():
    import companion

    assert companion.__version__ == PYPROJECT["version"], "raise both versions together"
    assert PINNED == f"{URL}@v{PYPROJECT['version']}"
    for path in NOTEBOOKS:
        first = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        urls = [line for line in first.source.splitlines() if line.startswith("URL = ")]
        assert urls == [f'URL = "git+{PINNED}"'], f"{path.name}: {urls}"


def test_extras_follow_imports():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import companion\nrt = companion.setup(seed=0, frameworks=())"),
        nbformat.v4.new_code_cell("from sentence_transformers import SentenceTransformer"),
        nbformat.v4.new_code_cell("%matplotlib inline\nfrom companion.deploy import onnx_session"),
    ]
    assert first_cells.extras_for(nb) == ["torch", "nlp", "deploy"]


def test_install_hint_names_the_extra_and_the_repository():
    hint = install.install_hint("nlp")
    assert hint == f'pip install "llmbook-companion[nlp] @ git+{PINNED}"'
    assert set(install.EXTRAS) == set(PYPROJECT["optional-dependencies"]) - {
        "all",
        "book",
        "test",
        "dev",
    }
    with pytest.raises(ValueError, match="extra"):
        install.install_hint("gpu")


def test_phrasebank_offline_hint_names_the_file_the_loader_reads(tmp_path, monkeypatch):
    from companion.data import DATA_DIR_VARIABLE, phrasebank

    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="financial_phrasebank/sentences_allagree.csv"):
        phrasebank.load_phrasebank("allagree")


#: A code or text-output line longer than this scrolls sideways in the rendered book on a
#: 1366-px desktop and on a phone; ``book/ruff.toml`` sets the same line length for code.
WIDTH = 80


def _text_outputs(cell: nbformat.NotebookNode) -> list[str]:
    """The plain text a reader sees below a code cell (streams, and text-only results)."""
    texts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            texts.append(out.text)
        elif out.output_type in {"execute_result", "display_data"}:
            data = out.get("data", {})
            shown_as_text = not any(k.startswith(("image/", "text/html")) for k in data)
            if "text/plain" in data and shown_as_text:
                texts.append(data["text/plain"])
    return texts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_and_text_outputs_fit_80_characters(path):
    nb = nbformat.read(path, as_version=4)
    long = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for kind, text in [("code", cell.source)] + [("output", t) for t in _text_outputs(cell)]:
            long += [
                f"cell {index} {kind} ({len(line)}): {line[:60]}..."
                for line in text.splitlines()
                if len(line) > WIDTH
            ]
    assert not long, f"{len(long)} lines over {WIDTH} characters:\n" + "\n".join(long)
