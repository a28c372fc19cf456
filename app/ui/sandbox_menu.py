"""The Console menu's "Stop local sandbox": the one way an operator stops the sandbox on purpose.

The local sandbox outlives the console (the next start connects at once) and stops by itself after
its idle time; this action stops it now, after a confirmation that says what stopping means. The
confirmation is window-modal but not blocking (`open()`, never `exec()`: a nested loop under qasync
would stall the console's tasks). Whatever stopping takes runs in the profile service's worker.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

ACTION_TEXT = "Stop local sandbox"
CONFIRM_TEXT = "Stop the local sandbox?"
CONFIRM_DETAIL = ("It keeps running between console runs, so the console opens on it at once. Stopped, the "
                  "local sandbox profiles show their cached data until it is started again (Restart, or open "
                  "a local sandbox profile). Its data is kept.")


def stop_sandbox_action(parent: QWidget, stop: Callable[[], None]) -> QAction:
    """The menu action; `stop` runs only once the operator confirmed."""
    action = QAction(ACTION_TEXT, parent)
    action.setObjectName("shell.action.stop_sandbox")
    action.setToolTip("Stop the local sandbox server now (it also stops by itself when unused)")
    action.triggered.connect(lambda checked=False: confirm_stop(parent, stop))
    return action


def confirm_stop(parent: QWidget, stop: Callable[[], None]) -> QMessageBox:
    """Ask (window-modal, non-blocking); call `stop` when the operator chooses Stop."""
    box = QMessageBox(QMessageBox.Icon.Question, ACTION_TEXT, CONFIRM_TEXT, QMessageBox.StandardButton.NoButton,
                      parent)
    box.setObjectName("sandbox.stop.confirm")
    box.setInformativeText(CONFIRM_DETAIL)
    confirm = box.addButton("Stop sandbox", QMessageBox.ButtonRole.DestructiveRole)
    confirm.setObjectName("sandbox.stop.confirm.stop")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setObjectName("sandbox.stop.confirm.cancel")
    box.setDefaultButton(cancel)

    def finished() -> None:
        if box.clickedButton() is confirm:
            stop()
        box.deleteLater()

    box.finished.connect(finished)
    box.open()
    return box


def install(window, stop: Callable[[], None]) -> QAction:
    """Put the action in the window's Console menu, after Profiles…; returns it."""
    action = stop_sandbox_action(window, stop)
    for menu in window.menuBar().findChildren(QMenu):
        actions = menu.actions()
        if window.profiles_action in actions:
            after = actions.index(window.profiles_action) + 1
            menu.insertAction(actions[after] if after < len(actions) else None, action)
            break
    return action
