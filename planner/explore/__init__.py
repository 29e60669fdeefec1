"""Looking into a scenario: the precondition and rule graph (`graph`) and what the loader
made of one step or rule (`lookup`, `validate --explain`)."""
