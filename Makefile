# Two commands matter: `make run` (build and run the product on its embedded defaults) and `make test`.
# Both create .venv when absent and install CPU torch first, so no dependency can pull a CUDA build.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/assistant index build
	$(BIN)/assistant serve

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/pytest -q
	$(BIN)/assistant index build
	$(BIN)/assistant eval --questions evals/questions.jsonl --out-dir evals/results
	$(BIN)/assistant eval --questions evals/questions_independent.jsonl --out-dir evals/results/independent \
		--min-refusal 0.95 --strict-types ""
	$(BIN)/assistant eval --questions evals/questions_blind.jsonl --out-dir evals/results/blind \
		--min-refusal 0.95 --strict-types ""
	bash evals/new_plans/gate.sh $(BIN)
	bash evals/new_plans/gate.sh $(BIN) evals/new_plans/batch_c evals/results/new_plans_c \
		--min-accuracy 0.72 --min-refusal 0.9 --min-citation-hit 0.75 --max-wrong-verified 11

clean:
	rm -rf index/facts.sqlite index/.facts-* .pytest_cache
