"""An on-screen keypad for touch screens: digits, optionally X (the ID check character), back and clear."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

BACKSPACE = "\b"
CLEAR = "\x1b"


class Keypad(QWidget):
    """Emits `pressed(key)`: a digit, "X", BACKSPACE or CLEAR. Buttons never take focus, so a scanner's
    typing keeps going to the window."""

    pressed = Signal(str)

    def __init__(self, *, with_x: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keypad")
        grid = QGridLayout(self)
        grid.setSpacing(6)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X" if with_x else "", "0", BACKSPACE]
        labels = {BACKSPACE: self.tr("退格")}
        for index, key in enumerate(keys):
            if not key:
                continue
            button = self._button(labels.get(key, key), key)
            grid.addWidget(button, index // 3, index % 3)
        clear = self._button(self.tr("清除"), CLEAR)
        grid.addWidget(clear, 4, 0, 1, 3)

    def _button(self, text: str, key: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(f"key_{'back' if key == BACKSPACE else 'clear' if key == CLEAR else key}")
        button.setProperty("keypad", True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda _checked=False, k=key: self.pressed.emit(k))
        return button
