"""Printable documents (reportlab): prescriptions and other clinic paperwork; DTO in, PDF bytes out."""
