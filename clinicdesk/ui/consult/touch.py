"""Touch-sized controls for tablet mode: big buttons and large, readable text."""

from PySide6.QtWidgets import QPushButton, QWidget

TOUCH_HEIGHT = 56  # px: a fingertip, with room to spare


def set_points(widget: QWidget, points: int, *, bold: bool = False) -> None:
    font = widget.font()
    font.setPointSize(points)
    font.setBold(bold)
    widget.setFont(font)


def big_button(text: str, *, colour: str | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setMinimumHeight(TOUCH_HEIGHT)
    set_points(button, 15, bold=colour is not None)
    if colour:
        button.setStyleSheet(f"QPushButton {{ color: white; background: {colour}; border-radius: 8px; "
                             "padding: 8px 18px; } QPushButton:disabled { background: #bdbdbd; }")
    return button
