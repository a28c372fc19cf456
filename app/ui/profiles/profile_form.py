"""The fields of one profile; reads back a `Profile` and the secret typed (never shown again)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from app.api.dialects import DIALECTS, dialect_class
from app.core.platform_connect import pack_credentials
from app.core.profiles import Profile

#: What the API key of each platform looks like (the field's placeholder).
_KEY_SHAPES = {"opsdesk": "opk_test_…", "platform004": "opk_test_…", "bi369": "b369_full_…", "8bit": "8b_sk_…",
               "bivelio": "bv_test_sk_…", "bizbasics": "bbk_…"}


class ProfileForm(QWidget):
    """Name, platform, base URL, environment, auth kind, login email, and the secret (key or password;
    a platform with a second credential, BizBasics' internal key, gets a second secret field)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile: Profile | None = None
        self.name = QLineEdit(self)
        self.name.setObjectName("profiles.name")
        self.platform = QComboBox(self)
        self.platform.setObjectName("profiles.platform")
        for name in DIALECTS:
            self.platform.addItem(_display_name(name), name)
        self.platform.setToolTip("The platform's own API dialect; Test connection detects it from the key.")
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
        self.second_secret = QLineEdit(self)
        self.second_secret.setObjectName("profiles.second_secret")
        self.second_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.second_label = QLabel("", self)
        self.auth_kind.currentIndexChanged.connect(self._on_auth_kind_changed)
        self.platform.currentIndexChanged.connect(self._on_auth_kind_changed)
        layout = QFormLayout(self)
        layout.addRow("Name", self.name)
        layout.addRow("Platform", self.platform)
        layout.addRow("Base URL", self.base_url)
        layout.addRow("Environment", self.environment)
        layout.addRow("Sign in with", self.auth_kind)
        layout.addRow(self.email_label, self.email)
        layout.addRow(self.secret_label, self.secret)
        layout.addRow(self.second_label, self.second_secret)
        self._on_auth_kind_changed()

    def _credential_fields(self) -> tuple[tuple[str, str], ...]:
        try:
            return dialect_class(self.platform.currentData() or "opsdesk").credential_fields
        except ImportError:
            return dialect_class("opsdesk").credential_fields

    def _on_auth_kind_changed(self, *_args) -> None:
        login = self.auth_kind.currentData() == "login"
        self.email.setVisible(login)
        self.email_label.setVisible(login)
        fields = self._credential_fields()
        self.secret_label.setText("Password" if login else fields[0][1])
        second = not login and len(fields) > 1
        self.second_secret.setVisible(second)
        self.second_label.setVisible(second)
        self.second_label.setText(fields[1][1] if second else "")
        self._update_secret_hint()

    def _update_secret_hint(self) -> None:
        if self._profile is not None:
            self.secret.setPlaceholderText("Kept in the keychain; type to replace it")
            self.second_secret.setPlaceholderText("Kept in the keychain; type both to replace them")
        else:
            api_key = self.auth_kind.currentData() == "api_key"
            self.secret.setPlaceholderText(_KEY_SHAPES.get(self.platform.currentData(), "") if api_key else "")
            self.second_secret.setPlaceholderText("bbas_…" if self.platform.currentData() == "bizbasics" else "")

    def show_profile(self, profile: Profile | None) -> None:
        """Fill the form from `profile` (None: an empty form for a new one). The secret stays empty."""
        self._profile = profile
        self.name.setText(profile.name if profile else "")
        self.base_url.setText(profile.base_url if profile else "")
        self.environment.setCurrentIndex(max(0, self.environment.findData(profile.environment if profile else "test")))
        self.auth_kind.setCurrentIndex(max(0, self.auth_kind.findData(profile.auth_kind if profile else "api_key")))
        self.email.setText((profile.login_email or "") if profile else "")
        self.platform.setCurrentIndex(max(0, self.platform.findData(profile.platform if profile else "opsdesk")))
        self.secret.clear()
        self.second_secret.clear()
        local = bool(profile and profile.is_local_sandbox)
        # The local sandbox's URL and key are managed by the console (a new port every start).
        for widget in (self.base_url, self.auth_kind, self.environment, self.platform):
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
            "platform": self.platform.currentData() or "opsdesk",
        }
        if base is None:
            return Profile(**values)
        from dataclasses import replace

        return replace(base, **values)

    def set_platform(self, name: str) -> None:
        """Select platform `name` (what Test connection detected)."""
        index = self.platform.findData(name)
        if index >= 0:
            self.platform.setCurrentIndex(index)

    def secret_text(self) -> str:
        """The secret as the keychain keeps it: the key (or password), or both credentials packed."""
        first = self.secret.text().strip()
        if not first or self.auth_kind.currentData() == "login" or not self.second_secret.isVisibleTo(self):
            return first
        names = [name for name, _ in self._credential_fields()]
        return pack_credentials(dict(zip(names, (first, self.second_secret.text().strip()), strict=False)))


def _display_name(name: str) -> str:
    try:
        return dialect_class(name).manifest.display_name
    except ImportError:  # a dialect whose adapter is not installed: listed by its name
        return name
