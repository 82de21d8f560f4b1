"""Pure sync core: hybrid logical clocks, wire operations, per-field merge policies and the row merge."""
