"""`python -m planner`: the `planner` command."""

try:
    from planner.entry import main
except KeyboardInterrupt:  # a Ctrl-C in the first milliseconds
    import os
    import sys

    sys.stderr.write("interrupted\n")
    os._exit(130)

main()
