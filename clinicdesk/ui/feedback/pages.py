"""Builds the patient-care pages by sidebar key; imported only when one is first opened."""

from PySide6.QtWidgets import QWidget

from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.feedback.complaints_page import ComplaintsPage
from clinicdesk.ui.feedback.rules_page import CareRulesPage
from clinicdesk.ui.feedback.tasks_page import TasksPage

PAGES = {"care_tasks": TasksPage, "complaints": ComplaintsPage, "care_rules": CareRulesPage}


def make_care_page(app: AppContext, key: str) -> QWidget:
    return PAGES[key](app)
