"""relief-planner: sequence sanctions-relief deals against verified commitments."""

__version__ = "0.1.0"
