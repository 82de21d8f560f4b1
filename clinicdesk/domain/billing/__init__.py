"""Billing arithmetic: money, GST, GSTIN, invoices and credit notes, bill numbers, packages and payments (pure)."""
