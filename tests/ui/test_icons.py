"""The console's icons: every size on disk is in the icon, and painting one reads a real image."""

from __future__ import annotations

from app.ui.icons import icon, resources_dir
from app.ui.panels.registry import MODULES


def test_each_module_icon_holds_every_size_on_disk_and_paints(qapp):
    for name in ("app", *(spec.name for spec in MODULES)):
        on_disk = sorted(int(path.stem.rsplit("-", 1)[1]) for path in (resources_dir() / "icons").glob(f"{name}-*.png"))
        shown = icon(name)
        assert on_disk, name
        assert sorted(size.width() for size in shown.availableSizes()) == on_disk, name
        image = shown.pixmap(32).toImage()
        assert not image.isNull() and any(image.pixelColor(x, y).alpha() > 0 for x in range(32) for y in range(32)), name


def test_a_missing_icon_is_empty_not_an_error(qapp):
    assert icon("no-such-module").isNull()
