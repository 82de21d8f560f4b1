"""Guards against a Qt binding that mis-counts references to None/True (PySide6 6.12.0 on Python 3.11 does)."""

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLineEdit


class _Probe(QObject):
    ping = Signal(object)


def test_slot_calls_and_emits_keep_reference_counts(qtbot):
    # On Python 3.11 None and True are ordinary objects: a binding that drops one reference per slot call or
    # per emit() makes the app crash after a few hundred signals ("deallocating None"). Pin a good version.
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.textChanged.connect(lambda _text: None)
    probe = _Probe()
    probe.ping.connect(lambda _value: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(20):
        edit.setText(str(i))
        probe.ping.emit(i)
    assert sys.getrefcount(None) >= none_before - 2, "the Qt binding drops references to None on slot calls"
    assert sys.getrefcount(True) >= true_before - 2, "the Qt binding drops references to True on emit()"
