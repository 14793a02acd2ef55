# Each target calls one tool. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PIP := $(PY) -m pip
# Exact versions for tests and CI; pyproject.toml keeps ranges for readers.
CONSTRAINTS := constraints.txt

# Same environment for nbval here, in CI and on GPU runners (book/appendix/how_tested.md says why each is set).
export TF_ENABLE_ONEDNN_OPTS := 0
export TF_CPP_MIN_LOG_LEVEL := 3
export CUBLAS_WORKSPACE_CONFIG := :4096:8
export TQDM_DISABLE := 1
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NOTEBOOKS = $(shell $(PY) tests/toc.py)
PYTEST := $(PY) -m pytest
NBVAL := PYTHONPATH=tests $(PYTEST) -p nbtiming -p no:cacheprovider --nbval --nbval-current-env \
	--nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout=600
JB := $(BIN)/jupyter-book build . -W -n --keep-going

.PHONY: help book test test-gpu test-portable test-latest colab-check pdf experiments unit nbval rerun nb run-nb browser bench lint clean
.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.book: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(PIP) install -q -c $(CONSTRAINTS) -e ".[book]"
	touch $@

$(VENV)/.all: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(PIP) install -q -c $(CONSTRAINTS) -e ".[all]"
	touch $@ $(VENV)/.book

book: $(VENV)/.book ## build the HTML book from the stored outputs into _build/html
	$(JB)
	@echo "Open _build/html/index.html in a browser (file://$(CURDIR)/_build/html/index.html)."

STAGES := lint unit nbval book pdf browser
test: $(VENV)/.all ## install everything; lint, unit tests, nbval (two runs per kernel), strict build, PDF, browser
	@for stage in $(STAGES); do \
	  start=$$(date +%s); \
	  $(MAKE) --no-print-directory $$stage || exit 1; \
	  echo "== stage $$stage took $$(( $$(date +%s) - start )) s"; \
	done

test-gpu: ## the same suite on a CUDA machine (CUDA wheel of the pinned torch, same stored outputs)
	nvidia-smi
	$(MAKE) $(VENV)/.all
	$(PY) -c "import torch; assert torch.cuda.is_available(), 'torch sees no CUDA device'; print('torch', torch.__version__, 'on', torch.cuda.get_device_name(0))"
	COMPANION_DEVICE=cuda $(MAKE) unit nbval book browser

unit: ## unit, parity and notebook-rule tests, plus the companion's doctests
	$(PYTEST) tests companion --doctest-modules --ignore=tests/browser --ignore=tests/rerun

pdf: $(VENV)/.all ## the whole book as one PDF (_build/pdf/book.pdf) and a zip of the notebooks
	bash tests/browser/setup.sh
	$(BIN)/jupyter-book build . --builder singlehtml -W -n --keep-going -q
	$(PY) tools/pdf.py

browser: $(VENV)/.all ## open every page of the built book in headless Chromium (installs it if missing)
	bash tests/browser/setup.sh
	PYTHONPATH=tests $(PYTEST) tests/browser -p no:cacheprovider

# One pass per notebook does both checks: a fresh kernel runs it and compares every output with
# the stored one, then runs it again in the same kernel and compares again (tests/nbtwice.py).
nbval: ## re-execute every notebook twice in one kernel; both runs must print the stored outputs
	$(NBVAL) -p nbtwice --nbval-twice $(or $(NB),$(NOTEBOOKS))

# Three stand-ins for another machine (see book/appendix/how_tested.md): each changes the
# order of floating-point sums, as a GPU does. This CPU has AVX-512; (b) takes the AVX2 paths.
PORTABLE_ONE_THREAD := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
	TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1
PORTABLE_AVX2 := ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2
PORTABLE_OVERSUBSCRIBED := OMP_NUM_THREADS=8 MKL_NUM_THREADS=8 OPENBLAS_NUM_THREADS=8 \
	TF_NUM_INTRAOP_THREADS=8 TF_NUM_INTEROP_THREADS=8

test-portable: $(VENV)/.all ## nbval under one thread, AVX2 kernels and 8 threads (NB=path; default all)
	@echo "== one thread"; NBVAL_VARIANT=one-thread $(PORTABLE_ONE_THREAD) $(NBVAL) $(or $(NB),$(NOTEBOOKS))
	@echo "== AVX2 kernel paths"; NBVAL_VARIANT=avx2 $(PORTABLE_AVX2) $(NBVAL) $(or $(NB),$(NOTEBOOKS))
	@echo "== 8 threads on 2 cores"; NBVAL_VARIANT=8-threads $(PORTABLE_OVERSUBSCRIBED) $(NBVAL) $(or $(NB),$(NOTEBOOKS))

test-latest: ## unit tests and nbval with the newest releases (no constraints), in .venv-latest
	$(PYTHON) -m venv .venv-latest || python3 -m venv .venv-latest
	.venv-latest/bin/python -m pip install -q --upgrade pip
	.venv-latest/bin/python -m pip install -q --upgrade -e ".[all]"
	.venv-latest/bin/python -m pip list --format=freeze > test-artifacts-latest-versions.txt
	$(MAKE) unit nbval VENV=.venv-latest

colab-check: ## a fresh Colab-like kernel: first cells install the companion (git+file clone), nbval on 3 chapters
	bash tools/colab_check.sh

rerun: ## standalone same-kernel re-run check (make nbval already does it in the same pass)
	PYTHONPATH=tests $(PYTEST) tests/rerun -p no:cacheprovider

nb: ## nbval one notebook: make nb NB=book/03_math/softmax_cross_entropy.ipynb
	$(NBVAL) $(NB)

run-nb: ## execute notebooks in place to store new outputs (NB=path; default all), on a CPU
	$(PY) tools/nbrun.py $(NB)

bench: $(VENV)/.all ## notebook times and memory (bench/notebooks-<device>.csv, README; NB=... for some) + training throughput
	$(PY) tools/bench.py $(NB)
	$(if $(NB),,$(PY) tools/throughput.py)

experiments: $(VENV)/.all ## re-run the slow experiments behind the chapters (experiments/*.py -> results/*.csv)
	@for f in experiments/[a-z]*.py; do [ "$$f" = experiments/provenance.py ] && continue; \
		echo "== $$f"; PYTHONPATH=experiments $(PY) $$f || exit 1; done

lint: ## ruff on the companion, tests, tools, experiments and notebooks
	$(BIN)/ruff check companion tests tools experiments book

clean: ## remove the build and caches (keeps the virtual environment)
	rm -rf _build .pytest_cache .hypothesis .ruff_cache
