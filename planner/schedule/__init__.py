"""Scheduling in pure Python (no ortools): the lower bounds no roadmap can beat
(`bounds`) and the greedy list schedule (`greedy`), the solver's first roadmap, its
fallback and the benchmarks' baseline."""
