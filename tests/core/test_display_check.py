"""A machine without a display is told so, with the way out, instead of Qt's misleading abort."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.core.display_check import display_problem


def found(name: str) -> bool:
    return True


def test_no_display_is_said_plainly_with_the_offscreen_way_out():
    problem = display_problem({}, "linux", found)
    assert problem is not None and "No display found" in problem and "QT_QPA_PLATFORM=offscreen" in problem
    assert "xcb-cursor" not in problem, "the missing display is the problem, not a library"


def test_a_display_or_a_headless_platform_is_fine():
    assert display_problem({"DISPLAY": ":0"}, "linux", found) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", found) is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", found) is None
    assert display_problem({}, "darwin", found) is None
    assert display_problem({}, "win32", found) is None


def test_missing_xcb_libraries_are_named_with_the_install_line():
    problem = display_problem({"DISPLAY": ":0"}, "linux", lambda name: False)
    assert problem is not None and "libxcb-cursor0" in problem and "apt-get install -y" in problem


def test_each_missing_xcb_library_is_named_not_just_the_cursor_one():
    present = {"libxcb-cursor.so.0"}
    problem = display_problem({"DISPLAY": ":0"}, "linux", lambda name: name in present)
    assert problem is not None and "apt-get install -y libxcb-icccm4 libxcb-keysyms1" in problem
    assert "libxcb-cursor0" not in problem


def test_the_loader_probe_tells_a_present_library_from_a_missing_one():
    from app.core.display_check import loadable

    assert loadable("libc.so.6") if sys.platform.startswith("linux") else True
    assert not loadable("libopsdesk-no-such-library.so.0")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="displays are an X11/Wayland matter")
def test_the_command_exits_2_with_the_message_when_there_is_no_display():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "app"], env=env, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 2
    assert "No display found" in result.stderr and "QT_QPA_PLATFORM=offscreen" in result.stderr
