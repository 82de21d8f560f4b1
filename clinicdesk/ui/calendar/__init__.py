"""Reception calendar: day and week grids by practitioner or room, today's queue, booking wizard and waitlist."""
