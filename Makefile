# sna — `make all` sets everything up and runs the analysis on data/raw; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SNA := $(VENV)/bin/sna
STAMP := $(VENV)/.installed

.PHONY: all install run ingest figures html test lint eval bench clean train-stance

all: run

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

TRAIN_STAMP := $(VENV)/.installed-train
$(TRAIN_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[train]'
	touch $(TRAIN_STAMP)

train-stance: $(TRAIN_STAMP)
	$(PY) bench/train_stance.py

run: $(STAMP)
	$(SNA) run data/raw --out data/processed --figures figures

ingest: $(STAMP)
	$(SNA) ingest data/raw --out data/processed

figures: run
	$(SNA) figures data/processed --to figures

html: run
	$(SNA) html data/processed --to figures

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check sna tests bench
	$(VENV)/bin/ruff format --check sna tests bench

eval: $(TRAIN_STAMP)
	$(PY) bench/eval_quotes.py
	$(PY) bench/eval_stance.py
	$(PY) bench/eval_camps.py

bench: $(STAMP)
	$(PY) bench/bench_readers.py
	$(PY) bench/bench_quotes.py
	$(PY) bench/bench_pipeline.py
	$(PY) bench/bench_render.py
	$(PY) bench/bench_camps.py

clean:
	rm -rf $(VENV) data/processed build *.egg-info .pytest_cache .ruff_cache
