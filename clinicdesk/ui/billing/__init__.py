"""The billing screens: the invoices page, the new-invoice, payment and credit-note dialogs, prices and packages."""
