"""The sidebar shows only what the profile's platform offers and says why the rest is missing."""

from __future__ import annotations

import pytest

from app.api.dialects import dialect_class
from app.ui.panel_context import PanelContext
from app.ui.panels import registry
from app.ui.shell.main_window import MainWindow
from app.ui.shell.placeholder_page import PlaceholderPage
from tests.dialects.conftest import BUILT, dialect_client


@pytest.mark.parametrize("name", BUILT)
def test_modules_the_platform_lacks_are_disabled_with_its_reason(qtbot, run_async, sandbox, name):
    client = dialect_client(sandbox, name)
    try:
        window = MainWindow()
        qtbot.addWidget(window)
        window.set_context(PanelContext(client=client, cache=None, profile=None))
        manifest = dialect_class(name).manifest
        for spec in registry.MODULES:
            if not spec.capability:
                assert window.sidebar.is_enabled(spec.name)  # the console's own request log
                continue
            offered = spec.capability in manifest.modules
            assert window.sidebar.is_enabled(spec.name) == offered, spec.name
            if not offered:
                reason = window.disabled_reason(spec.name)
                assert reason == f"{spec.title} is not available: {manifest.why_absent(spec.capability).rstrip('.')}."
                page = window.open_module(spec.name)
                assert isinstance(page, PlaceholderPage) and page.message == reason
        assert window.saved_module() not in {s.name for s in registry.MODULES
                                             if s.capability and s.capability not in manifest.modules}
    finally:
        run_async(client.aclose())
