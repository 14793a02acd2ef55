"""The book's configuration: the settings the build and the readers rely on."""

from __future__ import annotations

import re

import yaml
from toc import BOOK, ROOT

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
PARTS = [
    "00_preface",
    "01_background",
    "02_concepts",
    "03_math",
    "04_practice",
    "05_applications",
    "06_outlook",
    "appendix",
]


def test_notebooks_are_never_executed_by_the_build():
    assert CONFIG["execute"]["execute_notebooks"] == "off"


def test_launch_buttons_and_repository_buttons():
    launch = CONFIG["launch_buttons"]
    assert launch["binderhub_url"] and launch["colab_url"] and launch["thebe"] is True
    html = CONFIG["html"]
    assert html["use_issues_button"] and html["use_edit_page_button"]
    assert CONFIG["repository"]["url"].startswith("https://github.com/")


def test_bibliography_and_nitpicky_build():
    assert CONFIG["bibtex_bibfiles"] == ["book/references.bib"]
    assert CONFIG["sphinx"]["config"]["nitpicky"] is True


def test_toc_is_a_jupyter_book_1_book_with_bilingual_parts():
    assert TOC["format"] == "jb-book"
    for part in TOC["parts"]:
        assert re.search(r"[A-Za-z].*\([\u4e00-\u9fff·\s]+\)", part["caption"]), part["caption"]


def test_chapters_live_in_the_part_folders():
    for entry in (c["file"] for p in TOC["parts"] for c in p["chapters"]):
        folder = entry.split("/")[1]
        assert folder in PARTS, f"{entry} is outside the part folders {PARTS}"


def test_every_citation_key_is_in_the_bibliography():
    bib = (BOOK / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    cited = set()
    for path in BOOK.rglob("*.ipynb"):
        for group in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", path.read_text(encoding="utf-8")):
            cited.update(k.strip() for k in group.split(","))
    assert cited, "no citations found"
    assert cited <= keys, f"cited but not in references.bib: {cited - keys}"
