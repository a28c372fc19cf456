"""The "New API key" form: name, scopes (only those this credential holds), expiry preset.

A credential can never mint a key with scopes it does not hold itself (contract), so those scopes
are shown but disabled, each saying why. The form submits itself and stays open on an error with
everything typed intact; it closes only when the platform created the key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.api.models import ApiKeyCreate
from app.data.api_keys import ALL_SCOPES
from app.ui.widgets.form_submission import FormSubmission, error_label

#: (label, days or None for never); "Custom" uses the spin box.
EXPIRY_PRESETS: tuple[tuple[str, int | None], ...] = (
    ("Never", None), ("7 days", 7), ("30 days", 30), ("90 days", 90), ("Custom…", -1),
)
MAX_NAME_LENGTH = 100
MAX_EXPIRY_DAYS = 3650


class CreateKeyDialog(QDialog):
    """Collects an `ApiKeyCreate` and hands it to `submit`; stays open (input kept) on errors."""

    def __init__(self, held_scopes: frozenset[str], submit: Callable[[ApiKeyCreate], Awaitable[None]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("api_keys.create_dialog")
        self.setWindowTitle("New API key")
        self.setMinimumWidth(520)

        self.name = QLineEdit(self)
        self.name.setObjectName("api_keys.create.name")
        self.name.setPlaceholderText("e.g. CI deploy, Zapier sync")
        self.scope_boxes: dict[str, QCheckBox] = {}
        scopes = QWidget(self)
        grid = QGridLayout(scopes)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, scope in enumerate(ALL_SCOPES):
            box = QCheckBox(scope, scopes)
            box.setObjectName(f"api_keys.create.scope.{scope}")
            if scope not in held_scopes:
                box.setEnabled(False)
                box.setText(f"{scope} (not held)")
                box.setToolTip(f"Your credential does not hold {scope}, so it cannot grant it to a new key.")
            self.scope_boxes[scope] = box
            grid.addWidget(box, index // 2, index % 2)
        self.expiry = QComboBox(self)
        self.expiry.setObjectName("api_keys.create.expiry")
        for label, days in EXPIRY_PRESETS:
            self.expiry.addItem(label, days)
        self.expiry.setCurrentIndex(3)
        self.custom_days = QSpinBox(self)
        self.custom_days.setObjectName("api_keys.create.custom_days")
        self.custom_days.setRange(1, MAX_EXPIRY_DAYS)
        self.custom_days.setValue(180)
        self.custom_days.setSuffix(" days")
        self.custom_days.setEnabled(False)
        self.expiry.currentIndexChanged.connect(
            lambda _i: self.custom_days.setEnabled(self.expiry.currentData() == -1))
        expiry_row = QHBoxLayout()
        expiry_row.addWidget(self.expiry)
        expiry_row.addWidget(self.custom_days)
        expiry_row.addStretch(1)

        self.error = error_label(self, "api_keys.create.error")
        buttons = QDialogButtonBox(self)
        self.create_button = buttons.addButton("Create key", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("api_keys.create.submit")
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("api_keys.create.cancel")
        self.submission = FormSubmission(self, self.values, submit, error=self.error, button=self.create_button,
                                         busy_text="Creating…", busy_widgets=(self.name,))
        buttons.accepted.connect(self.submission.start)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Scopes", scopes)
        form.addRow("Expires", expiry_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def values(self) -> ApiKeyCreate:
        """The form as a request body, or ValueError naming the first problem."""
        name = self.name.text().strip()
        if not name:
            raise ValueError("Give the key a name, so you can tell it apart later.")
        if len(name) > MAX_NAME_LENGTH:
            raise ValueError(f"The name is longer than {MAX_NAME_LENGTH} characters.")
        scopes = [scope for scope, box in self.scope_boxes.items() if box.isChecked() and box.isEnabled()]
        if not scopes:
            raise ValueError("Choose at least one scope.")
        days = self.expiry.currentData()
        if days == -1:
            days = self.custom_days.value()
        return ApiKeyCreate(name=name, scopes=scopes, expires_in_days=days)
