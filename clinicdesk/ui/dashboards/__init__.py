"""The Dashboards page: the owner's and the medical director's figures, charts and exports."""
