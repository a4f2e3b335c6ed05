# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench

# Debian libraries Qt needs to start (offscreen or on a display).
QT_DEBS := libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-dejavu-core \
           libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-shape0 \
           libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0
# ...and what the tests use to render printed PDFs (pdftoppm, pdfinfo).
TEST_DEBS := poppler-utils

.PHONY: run test lint bench clean system-deps

run: $(STAMP) system-deps
	$(BIN)/python main.py

test: $(TEST_STAMP) system-deps
	@installers/debian-deps.sh $(TEST_DEBS)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q
	$(BIN)/ruff check terrmap tests benchmarks resources main.py

lint: $(TEST_STAMP)
	$(BIN)/ruff check terrmap tests benchmarks resources main.py
	$(BIN)/ruff format --check terrmap tests benchmarks resources main.py

bench: $(BENCH_STAMP) system-deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/core.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/startup.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/map.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/balance_panel.py
	$(BIN)/python benchmarks/optimize.py --quick
	$(BIN)/python benchmarks/routing.py
	$(BIN)/python benchmarks/day_route.py
	$(BIN)/python benchmarks/road_matrix.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/print.py

system-deps:
	@installers/debian-deps.sh $(QT_DEBS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $@

$(BENCH_STAMP): pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP) $(TEST_STAMP) $@

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
