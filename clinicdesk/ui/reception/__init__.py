"""The reception desk: patient search, registration and editing, and the patient profile."""
