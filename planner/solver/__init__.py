"""The solver: the only package that imports ortools (in its modules, not here).

- `encoder`: the CP-SAT model's variables, the helpers rules encode themselves with
  (`planner.rules.base.Encoding`), and the objectives;
- `bounds`: earliest starts and the makespan bound, from the rules' scheduling terms (no
  ortools);
- `greedy`: the list schedule that is the solver's first roadmap and fallback (no
  ortools);
- `search`: running CP-SAT: parameters, Ctrl-C, hints, neighbourhoods;
- `repair`: re-solving the steps around a roadmap's violations;
- `solve`: lexicographic solves, alternatives, the time budget;
- `explain`: the minimal set of colliding rules, and its arithmetic;
- `results`: what the solver answers (plain data).
"""
