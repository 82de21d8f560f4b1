"""Therapy screens: the centre's session board, the SOP runner and a plan's progress chart."""
