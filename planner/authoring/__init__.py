"""Authoring a deal: the JSON Schemas editors read (`schema`), the generated field
reference under docs/ (`docs`) and the starter scenario `planner init` writes
(`starter`)."""
