"""The desk's side of the patient portal: online requests, the portal's settings, check-in by code."""
