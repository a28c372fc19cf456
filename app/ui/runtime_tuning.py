"""How the console's interpreter collects cyclic garbage once it is up: on the Qt main thread only.

CPython runs the cyclic collector in whichever thread happens to allocate when a threshold is
crossed. In the console that is often a worker (the page cache parsing records, the shell's
blocking calls), which brings two faults:
- a cycle holding Qt objects (a panel, a timer, a model) is destroyed in that worker thread,
  and Qt objects must die in the thread they live in. (A suite hang once blamed on this was a
  lost task wake-up in the screenshot tests, since fixed; the rule stands on its own);
- the pass holds the GIL in the worker while the UI thread waits: with 20,000 young objects
  (fresh table rows) a pass took 3-14 ms and stalled scrolling.
So automatic collection is turned off and `MainThreadCollector` runs the same generational
passes from a timer on the main thread's event loop. Young passes stay small (CPython's 700
objects: under 1 ms even when they are fresh rows); full passes are rare.

Start-up builds tens of thousands of long-lived objects (modules, Qt wrappers); they are frozen
out of the collector's passes, which otherwise paused scrolling for 30-220 ms with big tables.
(A shorter GIL switch interval, 1 ms instead of 5, was tried too: three interleaved A/B runs of
the search benchmark showed no difference, so the interpreter's default stays.)

Qt's raster engine hands every fill of 96 or more scanlines (a window's background, a table's
scroll bar groove) to a thread pool of its own and blocks the UI thread until those threads have
run. On a 2-core machine with other work on it they often wait for a core: a scroll bar repaint
took 0.43 ms at the median and up to 5 ms, and the scroll benchmark's UI thread spent more time
waiting in scroll bar paints than painting the table. `paint_fills_on_the_ui_thread` turns the
pool off before the first paint; the fills then run where they are asked for (0.12 ms, at most 0.23).
"""

from __future__ import annotations

import gc
import os

from PySide6.QtCore import QObject, QTimer

#: Young-generation objects before a young pass; young passes before a middle one; middle
#: passes before a full one.
GC_THRESHOLDS = (700, 10, 100)
#: How often the main thread looks at the collector's counts.
CHECK_INTERVAL_MS = 100


class MainThreadCollector(QObject):
    """Runs the generational passes that are due, from a timer on the thread it lives in."""

    def __init__(self, parent: QObject, thresholds: tuple[int, int, int] = GC_THRESHOLDS,
                 interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self.setObjectName("opsdesk.gc")
        self._thresholds = thresholds
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(interval_ms)

    def collect_due(self) -> int:
        """The generation collected (-1: none was due), as CPython's own thresholds decide it."""
        young, middle, old = gc.get_count()
        if young < self._thresholds[0]:
            return -1
        if middle + 1 < self._thresholds[1]:
            gc.collect(0)
            return 0
        if old + 1 < self._thresholds[2]:
            gc.collect(1)
            return 1
        gc.collect(2)
        return 2


#: Qt reads it once, the first time a fill or an image scaling wants its GUI thread pool.
SERIAL_FILLS_VARIABLE = "QT_NO_GUI_THREADPOOL"


def paint_fills_on_the_ui_thread() -> None:
    """Keep Qt's raster fills on the thread that paints; call before anything is painted.

    An operator's own setting of the variable wins (Qt only asks whether it is set at all).
    """
    os.environ.setdefault(SERIAL_FILLS_VARIABLE, "1")


def tune_for_interaction(app: QObject) -> MainThreadCollector:
    """Freeze what start-up built and hand cyclic collection to the main thread's event loop.

    Called once the first panel is on screen (collection is off until then: a full pass in the
    middle of start-up paused the loop for 60-70 ms). Calling it again keeps the one collector.
    """
    gc.freeze()
    gc.disable()
    existing = app.findChild(MainThreadCollector, "opsdesk.gc")
    return existing if existing is not None else MainThreadCollector(app)
