"""The task runner: results and errors arrive on the main thread, writes announce their Changes once."""

import threading

import pytest
from PySide6.QtCore import QThread

from clinicdesk.domain.errors import ClinicError
from clinicdesk.services.context import Changes
from clinicdesk.ui.tasks import TaskRunner, changes_in, error_text


def test_synchronous_mode_delivers_result_and_changes(qtbot, runner):
    results, changes = [], []
    runner.changes_did_apply.connect(changes.append)
    runner.run(lambda a, b: ("new-id", Changes(patients=True)), 1, b=2, on_done=results.append)
    assert results == [("new-id", Changes(patients=True))]
    assert changes == [Changes(patients=True)]


def test_reads_do_not_announce_changes(qtbot, runner):
    changes = []
    runner.changes_did_apply.connect(changes.append)
    runner.run(lambda: [1, 2, 3], on_done=lambda _: None)
    assert changes == []


def test_error_goes_to_on_error_and_nothing_is_announced(qtbot, runner):
    errors, changes = [], []
    runner.changes_did_apply.connect(changes.append)

    def refuse():
        raise ClinicError("The room is booked.")

    runner.run(refuse, on_done=lambda _: pytest.fail("must not succeed"), on_error=errors.append)
    assert [str(e) for e in errors] == ["The room is booked."]
    assert changes == []


def test_unhandled_errors_become_a_sentence_and_bugs_do_not_leak_details(qtbot, runner):
    shown = []
    runner.task_failed.connect(shown.append)

    def bug():
        raise KeyError("patient Anitha Sharma")

    runner.run(bug)
    assert len(shown) == 1 and "Anitha" not in shown[0] and "not completed" in shown[0]
    assert error_text(ClinicError("Please sign in first.")) == "Please sign in first."


def test_changes_are_found_in_a_tuple_result():
    assert changes_in(("id", Changes(staff=True))) == Changes(staff=True)
    assert changes_in(Changes(centres=True)) == Changes(centres=True)
    assert changes_in(("id", "x")) is None


def test_threaded_mode_runs_off_the_main_thread_and_calls_back_on_it(qtbot):
    runner = TaskRunner(threaded=True)
    try:
        worker_threads, callback_threads, changes = [], [], []
        runner.changes_did_apply.connect(changes.append)

        def work(n):
            worker_threads.append(threading.get_ident())
            return n * 2, Changes(patients=True)

        results = []
        for n in range(5):
            runner.run(work, n, on_done=lambda r: (results.append(r[0]),
                                                    callback_threads.append(QThread.currentThread())))
        qtbot.waitUntil(lambda: len(results) == 5, timeout=5000)
        assert results == [0, 2, 4, 6, 8]  # one database thread: in order
        assert set(worker_threads) != {threading.get_ident()} and len(set(worker_threads)) == 1
        assert all(t is QThread.currentThread() for t in callback_threads)
        assert len(changes) == 5
    finally:
        thread = runner._thread
        runner.shutdown()
    assert thread is not None and thread.isFinished()


def test_callbacks_are_skipped_when_their_widget_is_gone(qtbot):
    from PySide6.QtWidgets import QWidget

    runner = TaskRunner(threaded=True)
    try:
        widget = QWidget()
        called, changes = [], []
        runner.changes_did_apply.connect(changes.append)
        gate = threading.Event()
        runner.run(lambda: (gate.wait(5), Changes(patients=True))[1], owner=widget, on_done=called.append)
        widget.deleteLater()
        qtbot.waitUntil(lambda: not _alive(widget), timeout=2000)
        gate.set()
        qtbot.waitUntil(lambda: len(changes) == 1, timeout=5000)
        assert called == []  # the write still happened and was announced; the closed screen was not touched
    finally:
        runner.shutdown()


def _alive(widget) -> bool:
    from shiboken6 import Shiboken

    return Shiboken.isValid(widget)
