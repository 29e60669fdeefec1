"""The solver: the CP-SAT package, the only one that imports ortools (in its modules, not
here).

- `encoder`: the CP-SAT model's variables, the helpers rules encode themselves with
  (`planner.rules.base.Encoding`), and the objectives;
- `search`: running CP-SAT: parameters, Ctrl-C, hints, neighbourhoods;
- `solve`: one `plan` call: lexicographic solves, alternatives, the time budget;
- `mend`: turning the greedy schedule's rare misses into a roadmap that keeps every rule;
- `alternatives`: what each roadmap after the best must differ in;
- `stages`: lexicographic solves for `repair` and re-planning;
- `repair`, `replan`: the closest roadmap to a proposed one; planning mid-deal;
- `explain`: the minimal set of colliding rules, and its arithmetic;
- `results`, `progress`: what the solver answers (plain data) and its progress line.

The pure-Python scheduling it starts from (bounds, the greedy) is `planner.schedule`.
"""
