"""Reminders and messages as pure values: templates, the plan of messages for a visit, quiet hours, the queue."""
