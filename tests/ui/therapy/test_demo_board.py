"""The demo board at 11:30 on a working morning, through the screenshot tour; the pictures go to out/screens."""

from datetime import UTC, datetime
from pathlib import Path

from clinicdesk.services import auth, demo
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.database import open_database
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.therapy.board_model import COLUMNS
from clinicdesk.ui.therapy.board_page import TherapyBoardPage
from clinicdesk.ui.therapy.screenshot_steps import TherapyTour

SCREENS = Path(__file__).resolve().parents[3] / "out" / "screens"
MORNING = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # 11:30 in Kochi
PASSPHRASE = "demo board passphrase"
NAMES = {"21_therapy_board": "therapy-board", "22_therapy_sop_runner": "therapy-sop-runner",
         "23_therapy_progress_chart": "therapy-progress-chart", "24_therapy_outcome": "therapy-outcome"}


def test_the_demo_board_shows_a_working_morning(qtbot, tmp_path, runner):
    data_dir = tmp_path / "clinic"
    demo.build_demo_clinic(data_dir, passphrase=PASSPHRASE, patients=40, now=MORNING)
    db = open_database(data_dir, passphrase=PASSPHRASE)
    try:
        ctx = ServiceContext(db, clock=lambda: MORNING)
        ctx.user = auth.sign_in(ctx, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
        page = TherapyBoardPage(AppContext(ctx, runner))
        qtbot.addWidget(page)
        page.resize(1366, 820)
        page.show()
        shots = {}
        SCREENS.mkdir(parents=True, exist_ok=True)

        def shoot(name, widget):
            shots[name] = widget.grab()
            assert shots[name].save(str(SCREENS / f"{NAMES[name]}.png"))

        TherapyTour(page, page, shoot).run()
        statuses = [page.model.index(row, COLUMNS.index("Status")).data() for row in range(page.model.rowCount())]
        assert {"Scheduled", "In preparation", "In session", "Recovery", "Completed"} <= set(statuses)
        countdowns = [page.model.index(row, COLUMNS.index("Countdown")).data()
                      for row in range(page.model.rowCount())]
        assert sum(text.startswith("over by") for text in countdowns) == 1
        assert any(text.startswith("ends in") for text in countdowns)
        assert any(text.startswith("resting") for text in countdowns)
        assert "late or over-running: 1" in page.summary.text()
        assert set(shots) == set(NAMES) and shots["21_therapy_board"].width() == 1366
    finally:
        db.close()
