"""Pure clinic rules: values, validation, state machines and arithmetic; standard library only."""
