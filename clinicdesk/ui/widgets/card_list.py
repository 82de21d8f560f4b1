"""A scrolling column of big tappable cards (tablet lists: My day, the consultation room's patients)."""

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

CARD_HEIGHT = 84  # px: a whole card is one touch target
CARD_POINTS = 15


@dataclass(frozen=True)
class Card:
    key: str
    text: str  # one or two lines
    on_click: Callable[[], None]
    edge: str = "#999999"  # the coloured bar on the left: status at a glance
    fill: str = "#ffffff"


class CardList(QScrollArea):
    def __init__(self, *, card_height: int = CARD_HEIGHT, points: int = CARD_POINTS, parent: QWidget | None = None):
        super().__init__(parent)
        self.card_height, self.points = card_height, points
        self.cards: dict[str, QPushButton] = {}
        self.box = QWidget()
        self.column = QVBoxLayout(self.box)
        self.column.setSpacing(10)
        self.column.addStretch(1)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # cards shrink, never scroll sideways
        self.setWidget(self.box)

    def set_cards(self, cards: list[Card]) -> None:
        for button in self.cards.values():
            self.column.removeWidget(button)
            button.deleteLater()
        self.cards = {}
        for card in cards:
            button = QPushButton(card.text)
            font = button.font()
            font.setPointSize(self.points)
            button.setFont(font)
            button.setMinimumHeight(self.card_height)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setStyleSheet(f"QPushButton {{ background: {card.fill}; border-left: 10px solid {card.edge}; "
                                 f"border-radius: 8px; text-align: left; padding: 8px 16px; }}")
            button.clicked.connect(lambda _=False, action=card.on_click: action())
            self.column.insertWidget(self.column.count() - 1, button)
            self.cards[card.key] = button
