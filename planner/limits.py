"""Numbers the file formats and the command line share, in a module that imports nothing
(the command line reads them at start, before any scenario is loaded)."""

#: The largest time a roadmap or an option may name: 2**53, the largest whole number a
#: JSON reader keeps exactly.
#: (A scenario's own numbers stop at 10**9 each, but a chain of them adds up.)
MAX_TIME = 2**53
