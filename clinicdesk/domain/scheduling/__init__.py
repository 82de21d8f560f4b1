"""Constraint scheduler: books therapists, rooms and equipment for appointments and multi-day Panchakarma plans."""
