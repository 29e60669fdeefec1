"""What-if: how a roadmap bends and what it risks.

- `slack`: how far each step can move, every other step staying where it is;
- `simulate`: Monte Carlo over uncertain durations; `simulate_run` is one run's placement,
  holding the roadmap's order;
- `diff`: what changed between two roadmaps (or the plans of two variants);
- `exposure`: irreversible exposure, what a party gave that it cannot take back;
- `triage`: what to change first, the summary that opens a check report with violations.
"""
