"""Before Qt starts: is there a display to open a window on, and can Qt's X11 plugin load?

Without one, Qt aborts with a message about the missing `xcb-cursor0` library even when the
real problem is that there is no display at all (an SSH shell, a container). This says what is
wrong and what to do instead: a desktop session, or `QT_QPA_PLATFORM=offscreen` for headless use.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

#: The libraries Qt's X11 plugin needs beyond the offscreen ones, and the Debian package of each.
#: Any one missing makes the plugin fail to load, and Qt's abort names only xcb-cursor (seen on a
#: machine that had it but lacked the other two).
XCB_LIBRARIES = {"libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
                 "libxcb-keysyms.so.1": "libxcb-keysyms1"}


def loadable(library: str) -> bool:
    """Whether the dynamic loader can open `library` (the file Qt's plugin will open next).

    A dlopen costs well under a millisecond; `ctypes.util.find_library` runs `ldconfig -p` and its
    import alone was 9 ms of every console start, offscreen ones included.
    """
    import ctypes

    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def display_problem(environ: Mapping[str, str], platform: str = sys.platform,
                    can_load: Callable[[str], bool] = loadable) -> str | None:
    """A sentence saying why the console cannot open a window here, or None when it can."""
    if not platform.startswith("linux"):
        return None
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen and not chosen.startswith(("xcb", "wayland")):
        return None  # offscreen, vnc, eglfs …: the user chose a platform that needs no display
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return ("No display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the console cannot open "
                "its window. Run it inside a desktop session, or set QT_QPA_PLATFORM=offscreen for headless "
                "use (tests, smoke runs, --exit-after-load).")
    if environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        missing = " ".join(package for library, package in XCB_LIBRARIES.items() if not can_load(library))
        if missing:
            return (f"Qt's X11 support needs system libraries that are missing ({missing}). On Debian or "
                    f"Ubuntu: apt-get install -y {missing} (with sudo when not root).")
    return None
