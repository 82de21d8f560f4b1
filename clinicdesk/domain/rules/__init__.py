"""Care rules kept as data: facts about a patient's care in, actions for the clinic out (pure, deterministic)."""
