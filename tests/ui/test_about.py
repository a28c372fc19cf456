"""The About dialog names the exact versions a support person needs to hear."""

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QLabel

from app import __version__
from app.ui.about_dialog import AboutDialog


def test_about_shows_app_qt_and_python_versions(qtbot):
    import platform

    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.findChild(QLabel, "about.versions").text()
    assert __version__ in text
    assert qVersion() in text
    assert PySide6.__version__ in text
    assert platform.python_version() in text
    assert "MIT" in text


def test_version_flag_prints_the_package_version(capsys):
    from app.__main__ import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"opsdesk {__version__}"


def test_version_has_one_source_the_package_metadata_is_built_from():
    """pyproject.toml takes the version from app/__init__.py, so the installed metadata says the same."""
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}
    assert version("opsdesk") == __version__


def test_the_bundle_is_named_with_the_same_version():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("build", Path(__file__).resolve().parents[2] / "packaging" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.project_version() == __version__
