"""The calendar grid: one custom-painted scroll area for time rows, columns and every appointment block.

A busy centre shows 150 appointments across 20 columns, so blocks are not widgets: their rectangles and elided
text are worked out once per load or resize, and a paint only draws what the exposed area touches. The header
(column titles) and the time gutter stay put while the body scrolls. Dragging a block paints a ghost at the
snapped target; the drop is only a request (`block_dropped`): until the owner reloads (success) or calls
`cancel_pending()` (refusal), the ghost stays where it was dropped, then the block is simply drawn where the
data says, which is the snap back.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QToolTip, QWidget

from clinicdesk.services.appointment_dto import AppointmentItem
from clinicdesk.ui.calendar.layout import (
    DAY_END_MINUTE,
    DAY_START_MINUTE,
    STEP_MINUTES,
    GridBlock,
    GridColumn,
    at_minute,
    minute_of,
    snap,
)
from clinicdesk.ui.calendar.status_style import status_label, status_style
from clinicdesk.ui.i18n import translate

HEADER_HEIGHT = 46
GUTTER_WIDTH = 58
SLOT_HEIGHT = 18  # pixels per 15 minutes: a 15-minute booking still gets one readable line
MIN_COLUMN_WIDTH = 116
BLOCK_MARGIN = 2
STRIPE = 4

GRID_LINE = QColor("#d5dad7")
QUARTER_LINE = QColor("#eef0ee")
CLOSED_FILL = QColor("#eef0ec")
HEADER_FILL = QColor("#f7f7f4")
NOW_COLOUR = QColor("#d93025")
NOTE_COLOUR = QColor("#9a5b00")
MUTED = QColor("#5f6368")


@dataclass
class _Drag:
    index: int  # into blocks
    grab_dy: float  # where in the block the pointer holds it, so the block does not jump to the pointer
    column: int
    minute: int


@dataclass(frozen=True)
class DropTarget:
    block: GridBlock
    column: GridColumn
    start: datetime  # naive, centre-local


def _fmt(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


class CalendarGrid(QAbstractScrollArea):
    block_dropped = Signal(object)  # DropTarget
    block_activated = Signal(object)  # AppointmentItem: double-click or Enter
    block_selected = Signal(object)  # AppointmentItem or None
    context_requested = Signal(object, QPoint)  # AppointmentItem, global position

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("calendarGrid")
        self.columns: list[GridColumn] = []
        self.blocks: list[GridBlock] = []
        self.first_minute, self.last_minute = DAY_START_MINUTE, DAY_END_MINUTE
        self.now: datetime | None = None
        self.selected_id: str | None = None
        self.empty_text = ""
        self.secondary_text: Callable[[AppointmentItem], str] = lambda item: item.room_name
        self.may_drag: Callable[[AppointmentItem], bool] = lambda item: False
        self._column_width = float(MIN_COLUMN_WIDTH)
        self._rects: list[QRectF] = []
        self._lines: list[tuple[str, ...]] = []
        self._press: tuple[int, QPoint] | None = None
        self._drag: _Drag | None = None
        self.pending: DropTarget | None = None
        self._pending_index: int | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.viewport().setMouseTracking(True)
        self.viewport().setAutoFillBackground(False)
        self.verticalScrollBar().setSingleStep(SLOT_HEIGHT)
        self.horizontalScrollBar().setSingleStep(MIN_COLUMN_WIDTH // 4)
        base = QFont(self.font())
        base.setPointSizeF(max(7.5, base.pointSizeF() - 1.5))
        self._block_font = base
        self._block_bold = QFont(base)
        self._block_bold.setBold(True)
        self._struck = QFont(base)
        self._struck.setStrikeOut(True)
        self._header_bold = QFont(self.font())
        self._header_bold.setBold(True)

    # --- content ---------------------------------------------------------------------------------------------

    def set_content(self, columns: Sequence[GridColumn], blocks: Sequence[GridBlock], *,
                    first_minute: int = DAY_START_MINUTE, last_minute: int = DAY_END_MINUTE) -> None:
        """Replace everything shown; a pending drop is settled by the reload that follows it."""
        self.columns = list(columns)
        self.blocks = list(blocks)
        self.first_minute, self.last_minute = first_minute, max(last_minute, first_minute + 60)
        self._drag, self._press = None, None
        self.pending, self._pending_index = None, None
        if self.selected_id and not any(b.item.id == self.selected_id for b in self.blocks):
            self.selected_id = None
        self._relayout()

    def set_now(self, now: datetime | None) -> None:
        self.now = now
        self.viewport().update()

    def cancel_pending(self) -> None:
        """The service refused the move: forget the ghost, the block is drawn where it was."""
        self.pending, self._pending_index = None, None
        self.viewport().update()

    def select(self, appointment_id: str | None) -> None:
        self.selected_id = appointment_id
        self.viewport().update()

    def selected_item(self) -> AppointmentItem | None:
        return next((b.item for b in self.blocks if b.item.id == self.selected_id), None)

    # --- geometry --------------------------------------------------------------------------------------------

    @property
    def pixels_per_minute(self) -> float:
        return SLOT_HEIGHT / STEP_MINUTES

    def content_size(self) -> QSize:
        width = GUTTER_WIDTH + self._column_width * len(self.columns)
        height = HEADER_HEIGHT + (self.last_minute - self.first_minute) * self.pixels_per_minute
        return QSize(int(width) + 1, int(height) + 1)

    def _y_of(self, minute: float) -> float:
        return HEADER_HEIGHT + (minute - self.first_minute) * self.pixels_per_minute

    def _x_of(self, column: int) -> float:
        return GUTTER_WIDTH + column * self._column_width

    def _block_rect(self, column: int, start: int, end: int, lane: int = 0, lanes: int = 1) -> QRectF:
        lane_width = (self._column_width - 2 * BLOCK_MARGIN) / max(1, lanes)
        left = self._x_of(column) + BLOCK_MARGIN + lane * lane_width
        top = self._y_of(start) + 1
        height = max(SLOT_HEIGHT - 3, (end - start) * self.pixels_per_minute - 2)
        return QRectF(left, top, lane_width - 1, height)

    def _offset(self) -> QPointF:
        return QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())

    def to_viewport(self, rect: QRectF) -> QRect:
        return rect.translated(-self._offset()).toAlignedRect()

    def column_at(self, x: float) -> int | None:
        """Column under a viewport x, or None over the gutter or past the last column."""
        content_x = x + self.horizontalScrollBar().value()
        if x < GUTTER_WIDTH or not self.columns:
            return None
        column = int((content_x - GUTTER_WIDTH) // self._column_width)
        return column if 0 <= column < len(self.columns) else None

    def minute_at(self, y: float) -> float:
        return self.first_minute + (y + self.verticalScrollBar().value() - HEADER_HEIGHT) / self.pixels_per_minute

    def point_at(self, column: int, minute: float) -> QPoint:
        """Viewport point in the middle of a column at a time, scrolling there first if it is out of sight."""
        self.scroll_to(column, minute)
        x = self._x_of(column) + self._column_width / 2 - self.horizontalScrollBar().value()
        y = self._y_of(minute) - self.verticalScrollBar().value()
        return QPoint(int(x), int(y))

    def scroll_to(self, column: int | None, minute: float) -> None:
        body = self.viewport().size()
        if column is not None:
            left = self._x_of(column) - GUTTER_WIDTH
            bar = self.horizontalScrollBar()
            if not (bar.value() <= left <= bar.value() + body.width() - GUTTER_WIDTH - self._column_width):
                bar.setValue(int(left))
        bar = self.verticalScrollBar()
        top = self._y_of(minute) - HEADER_HEIGHT
        if not (bar.value() + SLOT_HEIGHT <= top <= bar.value() + body.height() - HEADER_HEIGHT - 2 * SLOT_HEIGHT):
            bar.setValue(int(top - 2 * SLOT_HEIGHT))

    def scroll_to_minute(self, minute: float) -> None:
        self.verticalScrollBar().setValue(int(self._y_of(minute) - HEADER_HEIGHT))

    def block_rects(self, appointment_id: str) -> list[QRect]:
        """Where an appointment is drawn, in viewport coordinates (one rectangle per column it is in)."""
        return [self.to_viewport(rect) for block, rect in zip(self.blocks, self._rects, strict=True)
                if block.item.id == appointment_id]

    def blocks_in_column(self, key: str) -> list[GridBlock]:
        index = next((i for i, c in enumerate(self.columns) if c.key == key), None)
        return [b for b in self.blocks if b.column == index]

    def block_at(self, pos: QPointF | QPoint) -> int | None:
        if pos.x() < GUTTER_WIDTH or pos.y() < HEADER_HEIGHT:
            return None
        point = QPointF(pos) + self._offset()
        for index in range(len(self._rects) - 1, -1, -1):
            if self._rects[index].contains(point):
                return index
        return None

    def _relayout(self) -> None:
        available = self.viewport().width() - GUTTER_WIDTH
        self._column_width = max(float(MIN_COLUMN_WIDTH), available / max(1, len(self.columns)))
        self._rects = [self._block_rect(b.column, b.start_minute, b.end_minute, b.lane, b.lanes)
                       for b in self.blocks]
        self._lines = [self._block_lines(block, rect) for block, rect in zip(self.blocks, self._rects, strict=True)]
        size, view = self.content_size(), self.viewport().size()
        for bar, total, shown in ((self.horizontalScrollBar(), size.width(), view.width()),
                                  (self.verticalScrollBar(), size.height(), view.height())):
            bar.setRange(0, max(0, total - shown))
            bar.setPageStep(max(1, shown))
        self.viewport().update()

    def _block_lines(self, block: GridBlock, rect: QRectF) -> tuple[str, ...]:
        """Elided once per layout; painting then only draws strings."""
        item = block.item
        width = int(rect.width()) - STRIPE - 6
        if width <= 8:
            return ()
        bold, plain = QFontMetrics(self._block_bold), QFontMetrics(self._block_font)
        line_height = plain.height()
        fits = max(1, int((rect.height() - 2) // line_height))
        # In a narrow lane the patient's name matters more than the time, which the rows already show.
        first = f"{item.start:%H:%M} {item.patient_name}" if width >= 100 else item.patient_name
        lines = [bold.elidedText(first, Qt.TextElideMode.ElideRight, width)]
        extra = [item.service_name, self.secondary_text(item)]
        if item.status in ("cancelled", "no_show", "rescheduled") or fits >= 4:
            extra.append(status_label(item.status))
        for text in extra[:fits - 1]:
            if text:
                lines.append(plain.elidedText(text, Qt.TextElideMode.ElideRight, width))
        return tuple(lines)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def sizeHint(self) -> QSize:
        return QSize(900, 600)

    # --- painting --------------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            self._paint(painter, QRectF(event.rect()))
        finally:
            painter.end()

    def _paint(self, p: QPainter, exposed: QRectF) -> None:
        view = QRectF(self.viewport().rect())
        p.fillRect(view, Qt.GlobalColor.white)
        offset = self._offset()
        body = QRectF(GUTTER_WIDTH, HEADER_HEIGHT, view.width() - GUTTER_WIDTH, view.height() - HEADER_HEIGHT)
        visible = body.intersected(exposed).translated(offset)  # in content coordinates
        if not self.columns:
            p.setPen(MUTED)
            p.drawText(view, Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        first_col = max(0, int((visible.left() - GUTTER_WIDTH) // self._column_width))
        last_col = min(len(self.columns) - 1, int((visible.right() - GUTTER_WIDTH) // self._column_width))
        right = self._x_of(len(self.columns))
        bottom = self._y_of(self.last_minute)

        p.save()
        p.setClipRect(body)
        p.translate(-offset)
        self._paint_closed(p, first_col, last_col)
        self._paint_lines(p, visible, first_col, last_col, right, bottom)
        self._paint_now_line(p, first_col, last_col)  # under the blocks: it must not strike through a name
        self._paint_blocks(p, visible)
        self._paint_ghost(p)
        p.restore()

        self._paint_header(p, view, offset, first_col, last_col)
        self._paint_gutter(p, view, offset)
        p.fillRect(QRectF(0, 0, GUTTER_WIDTH, HEADER_HEIGHT), HEADER_FILL)
        p.setPen(GRID_LINE)
        p.drawLine(QPointF(0, HEADER_HEIGHT - 0.5), QPointF(GUTTER_WIDTH, HEADER_HEIGHT - 0.5))
        p.drawLine(QPointF(GUTTER_WIDTH - 0.5, 0), QPointF(GUTTER_WIDTH - 0.5, view.height()))

    def _paint_closed(self, p: QPainter, first_col: int, last_col: int) -> None:
        for column in range(first_col, last_col + 1):
            left = self._x_of(column)
            for start, end in self.columns[column].closed:
                start, end = max(start, self.first_minute), min(end, self.last_minute)
                if start < end:
                    p.fillRect(QRectF(left, self._y_of(start), self._column_width, (end - start) *
                                      self.pixels_per_minute), CLOSED_FILL)

    def _paint_lines(self, p: QPainter, visible: QRectF, first_col: int, last_col: int, right: float,
                     bottom: float) -> None:
        first_step = max(self.first_minute, int(self.minute_at(HEADER_HEIGHT)) // STEP_MINUTES * STEP_MINUTES)
        minute = first_step
        left = GUTTER_WIDTH
        while minute <= self.last_minute:
            y = self._y_of(minute) - 0.5
            if y > visible.bottom():
                break
            p.setPen(GRID_LINE if minute % 60 == 0 else QUARTER_LINE)
            p.drawLine(QPointF(left, y), QPointF(right, y))
            minute += STEP_MINUTES
        p.setPen(GRID_LINE)
        for column in range(first_col, last_col + 2):
            x = self._x_of(column) - 0.5
            p.drawLine(QPointF(x, HEADER_HEIGHT), QPointF(x, bottom))

    def _paint_blocks(self, p: QPainter, visible: QRectF) -> None:
        dragged = self._drag.index if self._drag else self._pending_index
        for index, (block, rect) in enumerate(zip(self.blocks, self._rects, strict=True)):
            if rect.intersects(visible):
                self._paint_block(p, block, rect, self._lines[index], faint=index == dragged)

    def _paint_block(self, p: QPainter, block: GridBlock, rect: QRectF, lines: Sequence[str], *,
                     faint: bool = False, ghost_time: str = "") -> None:
        style = status_style(block.item.status)
        p.save()
        if faint:
            p.setOpacity(0.35)
        fill, edge = QColor(style.fill), QColor(style.edge)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawRoundedRect(rect, 3, 3)
        p.fillRect(QRectF(rect.left(), rect.top(), STRIPE, rect.height()), edge)
        selected = block.item.id == self.selected_id
        border = QPen(QColor("#1f2a24") if selected else edge.lighter(130), 2 if selected else 1)
        if ghost_time:
            border = QPen(QColor("#1f2a24"), 1.5, Qt.PenStyle.DashLine)
        p.setPen(border)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        p.setClipRect(rect, Qt.ClipOperation.IntersectClip)
        x = rect.left() + STRIPE + 3
        y = rect.top() + 1
        text_colour = QColor(style.text)
        metrics = QFontMetrics(self._block_font)
        for number, line in enumerate(lines):
            if ghost_time and number == 0:
                line = f"{ghost_time} {block.item.patient_name}"
            font = self._block_bold if number == 0 else (self._struck if style.faded else self._block_font)
            p.setFont(font)
            p.setPen(text_colour)
            p.drawText(QPointF(x, y + metrics.ascent()), line)
            y += metrics.height()
            if y > rect.bottom():
                break
        p.restore()

    def _ghost(self) -> tuple[int, int, int] | None:
        """(block index, column, start minute) of the block being dragged or waiting for the service's answer."""
        if self._drag is not None:
            return self._drag.index, self._drag.column, self._drag.minute
        if self.pending is not None and self._pending_index is not None:
            column = next(i for i, c in enumerate(self.columns) if c is self.pending.column)
            return self._pending_index, column, minute_of(self.pending.start, self.pending.column.day)
        return None

    def _paint_ghost(self, p: QPainter) -> None:
        if (ghost := self._ghost()) is None:
            return
        index, column, minute = ghost
        block = self.blocks[index]
        length = block.end_minute - block.start_minute
        rect = self._block_rect(column, minute, minute + length)
        self._paint_block(p, block, rect, self._block_lines(block, rect), ghost_time=_fmt(minute))

    def _paint_now_line(self, p: QPainter, first_col: int, last_col: int) -> None:
        if self.now is None:
            return
        for column in range(first_col, last_col + 1):
            day = self.columns[column].day
            if day != self.now.date():
                continue
            minute = minute_of(self.now, day)
            if not self.first_minute <= minute <= self.last_minute:
                return
            y = self._y_of(minute)
            p.setPen(QPen(NOW_COLOUR, 2))
            p.drawLine(QPointF(self._x_of(column), y), QPointF(self._x_of(column) + self._column_width, y))

    def _paint_header(self, p: QPainter, view: QRectF, offset: QPointF, first_col: int, last_col: int) -> None:
        p.save()
        p.fillRect(QRectF(0, 0, view.width(), HEADER_HEIGHT), HEADER_FILL)
        p.setClipRect(QRectF(GUTTER_WIDTH, 0, view.width() - GUTTER_WIDTH, HEADER_HEIGHT))
        p.translate(-offset.x(), 0)
        bold, plain = QFontMetrics(self._header_bold), QFontMetrics(self._block_font)
        today = self.now.date() if self.now else None
        for column in range(first_col, last_col + 1):
            info = self.columns[column]
            left = self._x_of(column)
            cell = QRectF(left + 4, 4, self._column_width - 8, HEADER_HEIGHT - 8)
            if info.day == today and len({c.day for c in self.columns}) > 1:
                p.fillRect(QRectF(left, 0, self._column_width, HEADER_HEIGHT), QColor("#e3efe8"))
            p.setFont(self._header_bold)
            p.setPen(QColor("#1f2a24"))
            title = bold.elidedText(info.title, Qt.TextElideMode.ElideRight, int(cell.width()))
            p.drawText(QRectF(cell.left(), cell.top(), cell.width(), bold.height()), Qt.AlignmentFlag.AlignHCenter,
                       title)
            p.setFont(self._block_font)
            p.setPen(NOTE_COLOUR if info.note else MUTED)
            second = plain.elidedText(info.note or info.subtitle, Qt.TextElideMode.ElideRight, int(cell.width()))
            p.drawText(QRectF(cell.left(), cell.top() + bold.height() + 1, cell.width(), plain.height()),
                       Qt.AlignmentFlag.AlignHCenter, second)
            p.setPen(GRID_LINE)
            p.drawLine(QPointF(left - 0.5, 0), QPointF(left - 0.5, HEADER_HEIGHT))
        p.restore()
        p.setPen(GRID_LINE)
        p.drawLine(QPointF(0, HEADER_HEIGHT - 0.5), QPointF(view.width(), HEADER_HEIGHT - 0.5))

    def _paint_gutter(self, p: QPainter, view: QRectF, offset: QPointF) -> None:
        p.save()
        p.fillRect(QRectF(0, HEADER_HEIGHT, GUTTER_WIDTH, view.height()), HEADER_FILL)
        p.setClipRect(QRectF(0, HEADER_HEIGHT, GUTTER_WIDTH, view.height() - HEADER_HEIGHT))
        p.translate(0, -offset.y())
        p.setFont(self._block_font)
        metrics = QFontMetrics(self._block_font)
        for minute in range(self.first_minute // 60 * 60, self.last_minute + 1, 60):
            if minute < self.first_minute:
                continue
            y = self._y_of(minute)
            p.setPen(MUTED)
            p.drawText(QRectF(0, y + 1, GUTTER_WIDTH - 6, metrics.height()), Qt.AlignmentFlag.AlignRight, _fmt(minute))
        if self.now is not None and any(c.day == self.now.date() for c in self.columns):
            minute = minute_of(self.now, self.now.date())
            if self.first_minute <= minute <= self.last_minute:
                y = self._y_of(minute)
                label = QRectF(2, y - metrics.height() / 2, GUTTER_WIDTH - 6, metrics.height())
                p.fillRect(label, NOW_COLOUR)
                p.setPen(Qt.GlobalColor.white)
                p.drawText(label, Qt.AlignmentFlag.AlignCenter, _fmt(minute))
        p.restore()

    # --- pointer and keys ------------------------------------------------------------------------------------

    def _target_for(self, pos: QPointF | QPoint, drag: _Drag) -> tuple[int, int]:
        block = self.blocks[drag.index]
        column = self.column_at(pos.x())
        if column is None:
            column = drag.column
        length = block.end_minute - block.start_minute
        top = self.minute_at(pos.y() - drag.grab_dy)
        minute = snap(top)
        minute = max(self.first_minute, min(minute, self.last_minute - length))
        return column, minute

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        index = self.block_at(event.position())
        self._choose(index)
        if index is not None and self.pending is None and self.may_drag(self.blocks[index].item):
            self._press = (index, event.position().toPoint())
        event.accept()

    def _choose(self, index: int | None) -> None:
        item = self.blocks[index].item if index is not None else None
        changed = (item.id if item else None) != self.selected_id
        self.selected_id = item.id if item else None
        self.viewport().update()
        if changed:
            self.block_selected.emit(item)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._press is not None and self._drag is None:
            index, start = self._press
            if (pos.toPoint() - start).manhattanLength() >= QApplication.startDragDistance():
                rect = self._rects[index].translated(-self._offset())
                block = self.blocks[index]
                self._drag = _Drag(index, start.y() - rect.top(), block.column, block.start_minute)
                self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        if self._drag is not None:
            self._autoscroll(pos)
            self._drag.column, self._drag.minute = self._target_for(pos, self._drag)
            self.viewport().update()
            return
        index = self.block_at(pos)
        movable = index is not None and self.may_drag(self.blocks[index].item)
        self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if movable else Qt.CursorShape.ArrowCursor)

    def _autoscroll(self, pos: QPointF) -> None:
        view = self.viewport().rect()
        margin, step = 24, SLOT_HEIGHT
        if pos.y() < HEADER_HEIGHT + margin:
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - step)
        elif pos.y() > view.height() - margin:
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() + step)
        if GUTTER_WIDTH <= pos.x() < GUTTER_WIDTH + margin:
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - step)
        elif pos.x() > view.width() - margin:
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + step)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag, self._press = self._drag, None, None
        self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            return
        column, minute = self._target_for(event.position(), drag)
        self.drop(drag.index, column, minute)

    def drop(self, index: int, column: int, minute: int) -> DropTarget | None:
        """Ask to move block `index` to `column` at `minute` (what a mouse drop does); None if nothing moves."""
        block = self.blocks[index]
        target_column = self.columns[column]
        start = at_minute(target_column.day, minute)
        if column == block.column and start == block.item.start:
            self.viewport().update()
            return None
        target = DropTarget(block, target_column, start)
        self.pending, self._pending_index = target, index
        self.viewport().update()
        self.block_dropped.emit(target)  # may reload synchronously: nothing below may touch the old blocks
        return target

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        index = self.block_at(event.position())
        if index is not None:
            self.block_activated.emit(self.blocks[index].item)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._drag is not None:
            self._drag, self._press = None, None
            self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
            self.viewport().update()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (item := self.selected_item()):
            self.block_activated.emit(item)
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.block_at(self.viewport().mapFrom(self, event.pos()))
        if index is None:
            return
        self._choose(index)
        self.context_requested.emit(self.blocks[index].item, event.globalPos())

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            index = self.block_at(event.pos())
            if index is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), block_tooltip(self.blocks[index].item), self.viewport())
            return True
        return super().viewportEvent(event)


def block_tooltip(item: AppointmentItem) -> str:
    lines = [f"{item.start:%H:%M}–{item.end:%H:%M}  {item.patient_name} ({item.patient_uhid})", item.service_name]
    if item.staff_names:
        lines.append(", ".join(item.staff_names))
    if item.room_name:
        lines.append(item.room_name)
    status = status_label(item.status)
    if item.approval_pending:
        status += " · " + translate("Calendar", "waiting for a doctor's approval")
    lines.append(f"{status} · {item.reference}")
    if item.patient_no_shows:
        lines.append(translate("Calendar", "Missed %1 appointment(s) before").replace("%1", str(item.patient_no_shows)))
    return "\n".join(lines)

