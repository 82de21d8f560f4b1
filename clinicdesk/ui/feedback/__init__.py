"""Screens of the patient feedback loop: the feedback form, complaints, care rules and the clinician task list."""
