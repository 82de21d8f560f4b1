"""Documents the patient takes home, printed from the app: the discharge summary (Qt print dialog and PDF file)."""
