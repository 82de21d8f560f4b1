"""The stock page on a real clinic: low and near-expiry flags stand out; a received batch shows at once."""

from decimal import Decimal

from PySide6.QtCore import Qt

from clinicdesk.domain.roles import Role
from clinicdesk.services import stock
from clinicdesk.ui.therapy.stock_page import EXPIRING_COLOUR, LOW_COLOUR, StockPage


def _page(qtbot, course, runner, role=Role.NURSE) -> StockPage:
    page = StockPage(course.app(role, runner))
    qtbot.addWidget(page)
    page.show()
    return page


def _row(page: StockPage, code: str) -> int:
    return next(row for row, line in enumerate(page.model.lines) if line.code == code)


def _background(page: StockPage, code: str) -> str | None:
    brush = page.model.index(_row(page, code), 0).data(Qt.ItemDataRole.BackgroundRole)
    return brush.color().name() if brush is not None else None


def test_flags_are_highlighted_and_a_batch_is_received(qtbot, course, runner):
    world = course.world
    stock.save_item(world.boss, world.centre, "CASTOR-OIL", "Castor oil", "ml", 1000, item_id=world.items["CASTOR-OIL"])
    page = _page(qtbot, course, runner)
    assert _background(page, "DHANWANTARAM") == EXPIRING_COLOUR  # DT-2 expires in ten days
    assert "DT-2" in page.model.index(_row(page, "DHANWANTARAM"), 6).data()
    assert _background(page, "CASTOR-OIL") == LOW_COLOUR
    assert "LOW" in page.model.index(_row(page, "CASTOR-OIL"), 5).data()
    assert _background(page, "SESAME-OIL") is None
    assert "low: 1" in page.summary.text()

    assert page.receive_button.isVisible() and not page.receive_button.isEnabled()
    page.select(world.items["CASTOR-OIL"])
    dialog = page.open_receive()
    dialog.batch_no.setText("CO-2")
    dialog.quantity.setText("lots")
    dialog.save_button.click()
    assert dialog.banner.isVisible() and dialog.isVisible()
    dialog.quantity.setText("1000")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    line = page.model.lines[_row(page, "CASTOR-OIL")]
    assert line.on_hand == Decimal(1200) and not line.low
    assert page.selected().code == "CASTOR-OIL"


def test_a_therapist_sees_stock_but_cannot_receive(qtbot, course, runner):
    page = _page(qtbot, course, runner, Role.THERAPIST)
    assert page.model.lines and not page.receive_button.isVisible()


def test_quantities_drop_trailing_zeros():
    from clinicdesk.ui.therapy.stock_page import _qty

    assert (_qty(Decimal("110.000")), _qty(Decimal("1000")), _qty(Decimal("2.500"))) == ("110", "1000", "2.5")
