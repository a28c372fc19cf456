"""The module registry: panels found by name, missing ones shown plainly, scopes agreeing with panels."""

from __future__ import annotations

import pytest

from app.ui.panel_context import PanelContext
from app.ui.panels import registry
from app.ui.shell.main_window import MainWindow
from app.ui.shell.placeholder_page import PlaceholderPage


@pytest.mark.parametrize("spec", registry.MODULES, ids=lambda spec: spec.name)
def test_a_built_panel_needs_the_scope_the_sidebar_assumes(spec):
    """The sidebar decides before importing panels (start-up speed), so the two must agree."""
    try:
        panel_class = registry.load_panel_class(spec.name)
    except registry.PanelUnavailable as why:
        if why.built:  # a panel that exists but cannot be imported is a failure, never a skip
            pytest.fail(str(why))
        pytest.skip(str(why))
    assert panel_class.module_name == spec.name
    assert panel_class.required_scope == spec.default_scope


def test_a_module_without_a_panel_shows_a_plain_not_built_page(qtbot, monkeypatch):
    monkeypatch.setattr(registry.ModuleSpec, "module_path",
                        property(lambda spec: f"app.ui.panels.{spec.name}.not_written_yet"))
    registry.load_panel_class.cache_clear()
    try:
        window = MainWindow()
        qtbot.addWidget(window)
        window.set_context(PanelContext(client=None, cache=None, profile=None))
        page = window.open_module("invoices")
        assert isinstance(page, PlaceholderPage)
        assert page.objectName() == "panel.invoices"
        assert page.message == "The Invoices panel is not built yet."
    finally:
        registry.load_panel_class.cache_clear()


def test_unknown_modules_are_refused_by_name():
    with pytest.raises(KeyError, match="No module named 'billing'"):
        registry.spec_of("billing")
