"""Builds the enquiry pages by sidebar key; imported only when one is first opened."""

from PySide6.QtWidgets import QWidget

from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.leads.funnel_page import FunnelPage
from clinicdesk.ui.leads.leads_page import LeadsPage

PAGES = {"leads": LeadsPage, "lead_funnel": FunnelPage}


def make_leads_page(app: AppContext, key: str) -> QWidget:
    return PAGES[key](app)
