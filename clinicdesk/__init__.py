"""ClinicDesk: offline-first desktop application for Ayurveda and Panchakarma clinics."""

__version__ = "0.1.0"
