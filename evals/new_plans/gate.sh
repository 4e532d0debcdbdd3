#!/usr/bin/env bash
# The questions about the plans of other provinces in tests/data/plans/, answered with those plans added to a copy
# of the corpus the way a maintainer adds them (`assistant corpus add`, from their PDF-to-text form): a gate of
# `make test`. Usage: evals/new_plans/gate.sh [BIN_DIR [PLANS_DIR [OUT_DIR [EVAL OPTIONS…]]]]
# (defaults: .venv/bin, tests/data/plans, evals/results/new_plans, the eval's own thresholds).
set -euo pipefail
bin=${1:-.venv/bin}
plans=${2:-tests/data/plans}
out=${3:-evals/results/new_plans}
shift $(( $# < 3 ? $# : 3 ))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r corpus "$work/corpus"
export ASSISTANT_CORPUS_DIR="$work/corpus" ASSISTANT_INDEX_DIR="$work/index"
for plan in "$plans"/*/; do
  slug=$(basename "$plan")
  cp "$plan/plan.txt" "$work/$slug.txt"
  "$bin/assistant" corpus add "$work/$slug.txt" --id "$slug" > "$work/add-$slug.log" 2>&1 || { cat "$work/add-$slug.log"; exit 1; }
done
cat "$plans"/*/questions.jsonl > "$work/questions.jsonl"
"$bin/assistant" eval --questions "$work/questions.jsonl" --out-dir "$out" --min-refusal 0.95 --strict-types "" "$@"
