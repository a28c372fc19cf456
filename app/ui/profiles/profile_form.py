"""The fields of one profile; reads back a `Profile` and the secret typed (never shown again)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from app.core.profiles import Profile


class ProfileForm(QWidget):
    """Name, base URL, environment, auth kind, login email, and the secret (key or password)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile: Profile | None = None
        self.name = QLineEdit(self)
        self.name.setObjectName("profiles.name")
        self.base_url = QLineEdit(self)
        self.base_url.setObjectName("profiles.base_url")
        self.base_url.setPlaceholderText("https://api.example.com/v1")
        self.environment = QComboBox(self)
        self.environment.setObjectName("profiles.environment")
        self.environment.addItem("Test", "test")
        self.environment.addItem("Live (production)", "live")
        self.auth_kind = QComboBox(self)
        self.auth_kind.setObjectName("profiles.auth_kind")
        self.auth_kind.addItem("API key", "api_key")
        self.auth_kind.addItem("Email and password", "login")
        self.email = QLineEdit(self)
        self.email.setObjectName("profiles.email")
        self.email_label = QLabel("Login email", self)
        self.secret = QLineEdit(self)
        self.secret.setObjectName("profiles.secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_label = QLabel("API key", self)
        self.auth_kind.currentIndexChanged.connect(self._on_auth_kind_changed)
        layout = QFormLayout(self)
        layout.addRow("Name", self.name)
        layout.addRow("Base URL", self.base_url)
        layout.addRow("Environment", self.environment)
        layout.addRow("Sign in with", self.auth_kind)
        layout.addRow(self.email_label, self.email)
        layout.addRow(self.secret_label, self.secret)
        self._on_auth_kind_changed()

    def _on_auth_kind_changed(self, *_args) -> None:
        login = self.auth_kind.currentData() == "login"
        self.email.setVisible(login)
        self.email_label.setVisible(login)
        self.secret_label.setText("Password" if login else "API key")
        self._update_secret_hint()

    def _update_secret_hint(self) -> None:
        if self._profile is not None:
            self.secret.setPlaceholderText("Kept in the keychain; type to replace it")
        else:
            self.secret.setPlaceholderText("opk_test_…" if self.auth_kind.currentData() == "api_key" else "")

    def show_profile(self, profile: Profile | None) -> None:
        """Fill the form from `profile` (None: an empty form for a new one). The secret stays empty."""
        self._profile = profile
        self.name.setText(profile.name if profile else "")
        self.base_url.setText(profile.base_url if profile else "")
        self.environment.setCurrentIndex(max(0, self.environment.findData(profile.environment if profile else "test")))
        self.auth_kind.setCurrentIndex(max(0, self.auth_kind.findData(profile.auth_kind if profile else "api_key")))
        self.email.setText((profile.login_email or "") if profile else "")
        self.secret.clear()
        local = bool(profile and profile.is_local_sandbox)
        # The local sandbox's URL and key are managed by the console (a new port every start).
        for widget in (self.base_url, self.auth_kind, self.environment):
            widget.setEnabled(not local)
        self._update_secret_hint()

    @property
    def editing(self) -> Profile | None:
        """The saved profile the form was filled from, if any."""
        return self._profile

    def profile(self) -> Profile:
        """The profile as typed (validate with `.validated()`); keeps the edited profile's id."""
        base = self._profile
        values = {
            "name": self.name.text(),
            "base_url": self.base_url.text(),
            "auth_kind": self.auth_kind.currentData(),
            "environment": self.environment.currentData(),
            "login_email": self.email.text() or None,
        }
        if base is None:
            return Profile(**values)
        from dataclasses import replace

        return replace(base, **values)

    def secret_text(self) -> str:
        return self.secret.text().strip()
