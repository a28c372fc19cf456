"""Which modules the console has, in sidebar order, and where each one's panel class lives.

The shell creates panels lazily through `load_panel_class`, so a module costs nothing until it
is opened. A module whose package does not exist yet gets `None` here and the shell shows a
plain "not built yet" page instead; a panel that fails to import is reported the same way, with
the reason, rather than taking the console down.
"""

from __future__ import annotations

import importlib
import logging
import sys
from dataclasses import dataclass
from functools import cache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModuleSpec:
    """One sidebar entry: its name (`panel.<name>`), title, icon and the scope it needs."""

    name: str
    title: str
    #: Scope the sidebar requires when the panel class cannot tell (not built yet).
    default_scope: str
    #: A one-line description shown as the sidebar tooltip.
    summary: str
    #: The shortcut digit (Ctrl+1 … Ctrl+7) that opens it.
    digit: int
    #: The platform capability it shows (`app.api.dialects.manifest.MODULES`); "" for the console's own.
    capability: str = ""

    @property
    def module_path(self) -> str:
        return f"app.ui.panels.{self.name}.panel"


MODULES: tuple[ModuleSpec, ...] = (
    ModuleSpec("contacts", "Contacts", "crm:read", "People and companies", 1, "crm"),
    ModuleSpec("tickets", "Tickets", "support:read", "Support queues and ticket triage", 2, "support"),
    ModuleSpec("invoices", "Invoices", "crm:read", "Invoices and payments", 3, "billing"),
    ModuleSpec("webhooks", "Webhooks", "integrations:read", "Endpoints and deliveries", 4, "integrations"),
    ModuleSpec("quota", "Quota", "quota:read", "Usage against the plan's limits", 5, "quota"),
    ModuleSpec("api_keys", "API keys", "keys:read", "Create, rotate and revoke keys", 6, "keys"),
    ModuleSpec("request_log", "Request log", "", "Every request this console made", 7),
)

_BY_NAME = {spec.name: spec for spec in MODULES}


def spec_of(name: str) -> ModuleSpec:
    """The module `name`, or KeyError naming the modules that exist."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"No module named {name!r}; modules: {', '.join(_BY_NAME)}") from None


class PanelUnavailable(Exception):
    """The module has no usable panel class; `built` says whether it exists but failed to load."""

    def __init__(self, message: str, *, built: bool) -> None:
        super().__init__(message)
        self.built = built


@cache
def load_panel_class(name: str) -> type:
    """The `ModulePanel` subclass of module `name`, or PanelUnavailable saying why not."""
    import inspect

    from app.ui.module_panel import ModulePanel

    spec = spec_of(name)
    try:
        module = importlib.import_module(spec.module_path)
    except ModuleNotFoundError as error:
        if error.name and spec.module_path.startswith(error.name):
            raise PanelUnavailable(f"The {spec.title} panel is not built yet.", built=False) from None
        log.exception("the %s panel failed to import", name)
        raise PanelUnavailable(f"The {spec.title} panel failed to load: {error}", built=True) from None
    except Exception as error:  # a broken panel must not take the console down
        log.exception("the %s panel failed to import", name)
        raise PanelUnavailable(
            f"The {spec.title} panel failed to load ({type(error).__name__}: {error}).", built=True
        ) from None
    for _, candidate in inspect.getmembers(module, inspect.isclass):
        if issubclass(candidate, ModulePanel) and candidate.module_name == name:
            return candidate
    raise PanelUnavailable(f"The {spec.title} panel module has no panel class yet.", built=False)


def required_scope(name: str) -> str:
    """The scope module `name` needs: its panel class's `required_scope` once the panel is loaded,
    else the registry's default (deciding the sidebar must not import every panel at start-up)."""
    spec = spec_of(name)
    if spec.module_path not in sys.modules:
        return spec.default_scope
    try:
        return load_panel_class(name).required_scope
    except PanelUnavailable:
        return spec.default_scope
