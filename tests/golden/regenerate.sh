#!/bin/sh
# Rewrites the goldens made from the default scenario's best roadmap (run from anywhere,
# with the checkout's venv active): tests/golden/plan.yaml, the Markdown timelines and the
# brief (text and Markdown). Read every changed line before committing them: the tests
# compare against these files, so they say what is right only once a person has.
set -eu
cd "$(dirname "$0")/../.."
planner plan -o tests/golden/plan.yaml >/dev/null
for view in time phase actor package leverage; do
  planner timeline tests/golden/plan.yaml --by "$view" --tablefmt github > "tests/golden/timeline-by-$view.md"
done
planner brief tests/golden/plan.yaml > tests/golden/brief.txt
planner brief tests/golden/plan.yaml --format md > tests/golden/brief.md
git status --short tests/golden
