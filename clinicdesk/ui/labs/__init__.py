"""Clinical records that arrive from outside, in the patient profile: lab results and intake forms."""
