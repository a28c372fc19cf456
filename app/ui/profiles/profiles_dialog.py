"""The profiles dialog: add, edit, test connection, delete and switch, without blocking the console.

Non-modal. It is a view over `ProfileService` (Qt-free, in `app.core`): every action runs as a
task, the service does the keychain and profile-file calls off the UI thread; failures are shown
in the dialog's result line, and what the user typed stays in the form. A handler keeps the name
of the profile it acts on, never its list item: the list is rebuilt after every action (an Open
re-marks the open profile) and whenever the dialog is shown, which deletes the items of the old
list under a handler still awaiting its action.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.api.errors import ApiError
from app.core.keychain import KeychainError
from app.core.profile_service import NO_KEYCHAIN_NOTICE, ConnectionCheck, ProfileService
from app.core.profiles import ProfileError
from app.ui.error_messages import describe
from app.ui.profiles.profile_form import ProfileForm
from app.ui.task_set import TaskSet
from app.ui.theme import semantic_colour

log = logging.getLogger(__name__)


class ProfilesDialog(QDialog):
    """Lists the profiles on the left and edits the selected one on the right."""

    def __init__(self, profiles: ProfileService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profiles.dialog")
        self.setWindowTitle("Profiles")
        self.setModal(False)
        self.profiles = profiles
        self.tasks = TaskSet(on_error=self._on_unexpected)
        self.list = QListWidget(self)
        self.list.setObjectName("profiles.list")
        self.list.currentItemChanged.connect(self._on_selected)
        self.add_button = QPushButton("Add", self)
        self.add_button.setObjectName("profiles.add")
        self.add_button.clicked.connect(self.start_new)
        self.delete_button = QPushButton("Delete…", self)
        self.delete_button.setObjectName("profiles.delete")
        self.delete_button.clicked.connect(self._ask_delete)
        self.switch_button = QPushButton("Open", self)
        self.switch_button.setObjectName("profiles.switch")
        self.switch_button.setToolTip("Connect the console to this profile")
        self.switch_button.clicked.connect(self._switch)

        self.form = ProfileForm(self)
        self.keychain_note = QLabel(NO_KEYCHAIN_NOTICE, self)
        self.keychain_note.setObjectName("profiles.keychain_note")
        self.keychain_note.setWordWrap(True)
        self.keychain_note.setStyleSheet(f"color:{semantic_colour('warning').name()}")
        self.test_button = QPushButton("Test connection", self)
        self.test_button.setObjectName("profiles.test")
        self.test_button.clicked.connect(self._test)
        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("profiles.save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._save)
        self.result = QLabel(self)
        self.result.setObjectName("profiles.result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confirm_label = QLabel(self)
        self.confirm_button = QPushButton("Delete", self)
        self.confirm_button.setObjectName("profiles.confirm_delete")
        self.confirm_button.clicked.connect(self._delete)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self._hide_confirm)

        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.switch_button)
        left.addLayout(buttons)
        right = QVBoxLayout()
        right.addWidget(self.form)
        right.addWidget(self.keychain_note)
        confirm = QHBoxLayout()
        confirm.addWidget(self.confirm_label, 1)
        confirm.addWidget(self.confirm_button)
        confirm.addWidget(self.cancel_button)
        right.addLayout(confirm)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.test_button)
        actions.addWidget(self.save_button)
        right.addStretch(1)
        right.addWidget(self.result)
        right.addLayout(actions)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addLayout(right, 3)
        self.resize(760, 380)
        self._hide_confirm()

    def _on_unexpected(self, error: BaseException) -> None:
        log.error("a profiles dialog action failed", exc_info=error)
        self._say(f"Unexpected problem: {type(error).__name__}. It was written to the log file.", "error")

    # ---- listing ----------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        """Re-read the profiles; select `select` (else the active profile, else the first)."""
        active = self.profiles.active.name if self.profiles.active is not None else None
        wanted = select or self.selected_name() or active
        self.list.blockSignals(True)
        self.list.clear()
        for profile in self.profiles.list():
            item = QListWidgetItem(profile.name, self.list)
            tags = [profile.environment]
            if profile.name == active:
                tags.append("open")
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            if profile.environment == "live":
                item.setForeground(semantic_colour("live"))
            item.setToolTip(f"{profile.base_url} ({', '.join(tags)})")
        self.list.blockSignals(False)
        self.keychain_note.setVisible(self.profiles.session_only)
        matches = self.list.findItems(wanted, Qt.MatchFlag.MatchExactly) if wanted else []
        if matches:
            self.list.setCurrentItem(matches[0])
        elif self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.start_new()
        self._on_selected(self.list.currentItem(), None)

    def names(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]

    def selected_name(self) -> str | None:
        item = self.list.currentItem()
        return item.text() if item is not None else None

    def _on_selected(self, item: QListWidgetItem | None, _previous) -> None:
        self._hide_confirm()
        if item is None:
            return
        try:
            profile = self.profiles.get(item.text())
        except ProfileError:
            return
        self.form.show_profile(profile)
        self.delete_button.setEnabled(True)
        self.switch_button.setEnabled(True)

    def start_new(self) -> None:
        """Empty the form for a new profile."""
        self.list.blockSignals(True)
        self.list.clearSelection()
        self.list.setCurrentItem(None)
        self.list.blockSignals(False)
        self.form.show_profile(None)
        self.delete_button.setEnabled(False)
        self.switch_button.setEnabled(False)
        self._say("")
        self.form.name.setFocus()

    # ---- actions ------------------------------------------------------------------------------------
    def _say(self, text: str, kind: str = "") -> None:
        colour = {"error": semantic_colour("error"), "success": semantic_colour("success")}.get(kind)
        self.result.setStyleSheet(f"color:{colour.name()}" if colour is not None else "")
        self.result.setText(text)

    def _save(self) -> None:
        self.tasks.spawn(self.save(), name="save profile")

    async def save(self) -> bool:
        """Save the form (add or update); the secret typed goes to the keychain or session store."""
        editing = self.form.editing
        try:
            profile = self.form.profile().validated()
            if editing is None and not self.form.secret_text():
                raise ProfileError("Enter the API key (or password) for the new profile.")
            saved = await self.profiles.save(
                profile, self.form.secret_text() or None,
                original_name=editing.name if editing is not None else None,
            )
        except (ProfileError, KeychainError) as error:
            self._say(str(error), "error")
            return False
        self.reload(select=saved.name)
        self._say(f"Saved {saved.name!r}; its key is kept {self.profiles.where_kept}.", "success")
        return True

    def _test(self) -> None:
        self.tasks.spawn(self.test(), name="test connection")

    async def test(self) -> str:
        """Try the form's URL and secret; the result line says what happened."""
        self.test_button.setEnabled(False)
        self._say("Testing…")
        try:
            check = await self.profiles.test_connection(self.form.profile(), self.form.secret_text() or None)
            if check.platform:
                self.form.set_platform(check.platform)  # what answered is what the profile speaks
            message = connection_sentence(check)
            self.result.setToolTip("\n".join([*check.absent.values(), *check.missing.values()]))
            self._say(message, "success" if check.error is None and not check.secret_missing else "error")
        except (ProfileError, KeychainError, ValueError) as error:
            message = str(error)
            self._say(message, "error")
        finally:
            self.test_button.setEnabled(True)
        return message

    def _ask_delete(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        self.confirm_label.setText(f"Delete {name!r} with its stored key, cache and drafts?")
        for widget in (self.confirm_label, self.confirm_button, self.cancel_button):
            widget.show()

    def _hide_confirm(self) -> None:
        for widget in (self.confirm_label, self.confirm_button, self.cancel_button):
            widget.hide()

    def _delete(self) -> None:
        self.tasks.spawn(self.delete(), name="delete profile")

    async def delete(self) -> bool:
        """Delete the selected profile (after the confirmation row)."""
        name = self.selected_name()
        self._hide_confirm()
        if name is None:
            return False
        try:
            await self.profiles.delete(name)
        except (ProfileError, KeychainError, OSError) as error:
            self._say(f"Could not delete {name!r}: {error}", "error")
            return False
        self.list.setCurrentItem(None)
        self.reload()
        self._say(f"Deleted {name!r}, its stored key and its cache.", "success")
        return True

    def _switch(self) -> None:
        self.tasks.spawn(self.switch(), name="switch profile")

    async def switch(self) -> bool:
        """Connect the console to the selected profile."""
        name = self.selected_name()
        if name is None:
            return False
        self._say(f"Opening {name!r}…")
        try:
            opened = await self.profiles.switch(name)
        except (ProfileError, KeychainError) as error:
            self._say(str(error), "error")
            return False
        except ApiError as error:
            self._say(describe(error), "error")
            return False
        self.reload(select=name)
        self._say(f"Opened {name!r}." if opened else f"Could not open {name!r}; see the main window.",
                  "success" if opened else "error")
        return opened


def connection_sentence(check: ConnectionCheck) -> str:
    """What a connection test found, as the dialog's result line says it."""
    if check.secret_missing:
        return "Enter the key (or password) to test the connection."
    if check.error is not None:
        return f"Connection failed: {describe(check.error)}"
    scopes = ", ".join(sorted(check.scopes)) or "no scopes"
    where = f"{check.platform_name}: " if check.platform_name else ""
    sentence = f"Connected to {where}workspace {check.workspace} ({check.environment or 'environment unknown'})." \
               f" Scopes: {scopes}."
    if check.absent:
        sentence += f" Not on this platform: {', '.join(check.absent)}."
    if check.missing:
        sentence += f" It lacks: {', '.join(name.replace('_', ' ') for name in check.missing)} (hover for what that means)."
    return sentence
