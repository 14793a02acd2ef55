"""The book's table of contents as file lists, shared by the notebook tests and tools."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def toc_entries(root: Path = ROOT) -> list[str]:
    """Every ``file``/``root`` entry of ``_toc.yml``, in order, without suffix."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]

    def walk(items: list[dict]) -> None:
        for item in items:
            if "file" in item:
                entries.append(item["file"])
            walk(item.get("sections", []))
            walk(item.get("chapters", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return entries


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks of the TOC, in reading order."""
    return [root / f"{e}.ipynb" for e in toc_entries(root) if (root / f"{e}.ipynb").exists()]


if __name__ == "__main__":  # print the TOC's notebooks, one per line (used by the Makefile)
    for path in toc_notebooks():
        print(path.relative_to(ROOT))
