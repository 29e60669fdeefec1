"""The solver: the only package that imports ortools (in its modules, not here).

The objective names live here so the command line can name them without paying for ortools.
"""

OBJECTIVES = ("penalty", "makespan", "exposure", "goodwill")
DEFAULT_OBJECTIVES = ("penalty", "makespan", "exposure", "goodwill")
