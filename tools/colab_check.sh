#!/usr/bin/env bash
# make colab-check: a reader's first run in a fresh Colab-like kernel, with the newest releases.
#
# 1. A fresh virtual environment (.venv-colab) holding what Colab ships before any chapter runs:
#    Jupyter's kernel and PyTorch (the pinned CPU wheel; a bare `pip install torch` would pull
#    a multi-GB CUDA build). Nothing of the book, no constraints.
# 2. A clone of the committed repository (git+file://), standing in for the GitHub URL, with the
#    release tag v<version> that the first cells pin set on its head (a release is tagged so).
# 3. Three chapters, copied with their first cell pointed at that clone, re-executed by nbval in
#    that environment: the first cell must install the companion and the chapter's extras at
#    their newest releases, and the stored outputs must still match.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${COLAB_VENV:-.venv-colab}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CHAPTERS=${COLAB_CHAPTERS:-"book/01_background/the_money.ipynb book/02_concepts/model_size.ipynb book/05_applications/customer_service.ipynb"}
URL=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["urls"]["Repository"])')
TAG=v$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
TORCH=$(grep -E '^torch==' constraints.txt)

rm -rf "$VENV"
python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q "$TORCH" ipykernel pytest nbval
git clone -q "file://$ROOT" "$WORK/clone"
git -C "$WORK/clone" tag -f "$TAG" >/dev/null
mkdir -p "$WORK/book"
for chapter in $CHAPTERS; do
  part=$(basename "$(dirname "$chapter")")
  mkdir -p "$WORK/book/$part"
  sed "s|git+$URL@$TAG|git+file://$WORK/clone@$TAG|" "$chapter" > "$WORK/book/$part/$(basename "$chapter")"
  grep -q "git+file://$WORK/clone@$TAG" "$WORK/book/$part/$(basename "$chapter")" \
    || { echo "no install line with the repository URL at $TAG in $chapter" >&2; exit 1; }
done
cd "$WORK"
echo "== newest releases; companion from $WORK/clone at $TAG"
"$ROOT/$VENV/bin/python" -m pytest -p no:cacheprovider --nbval --nbval-current-env \
  --nbval-sanitize-with "$ROOT/tests/sanitize.cfg" --nbval-cell-timeout=900 \
  $(cd "$WORK" && find book -name '*.ipynb' | sort)
"$ROOT/$VENV/bin/python" -m pip list 2>/dev/null | grep -Ei '^(llmbook|torch |transformers|sentence|numpy |pandas )' || true
