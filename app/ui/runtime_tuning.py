"""How the console's interpreter runs once it is up: cyclic garbage collection and thread handover.

Both are set for an interactive program whose UI thread shares the GIL with worker threads
(the page cache, the shell's blocking calls), and measured with the contacts benchmark:
- Start-up builds tens of thousands of long-lived objects (modules, Qt wrappers). They are frozen
  out of the collector's full passes, which otherwise paused scrolling for 30-220 ms with big
  tables, and full passes are made rare: pages of records are mostly freed by reference counting.
- Young collections stay small (CPython's 700): every new table row is a tracked tuple until a
  young pass first looks at it, and with a 20,000 threshold each pass examined ~20,000 rows,
  3-14 ms holding the GIL (in whichever thread allocated last, often the cache's) while the
  table scrolled. At 700 a young pass takes under 1 ms.
- A thread that wants the GIL waits up to the switch interval for the holder to let go. With the
  default 5 ms, the UI thread painting a table (it needs the GIL for every cell) waited in 5 ms
  steps while the cache thread parsed a slice of records; 1 ms keeps those waits inside a frame.
"""

from __future__ import annotations

import gc
import sys

#: Seconds a thread may hold the GIL while another waits for it (CPython's default is 0.005).
SWITCH_INTERVAL_S = 0.001
#: Allocations before a young collection; how many young ones before a middle one, and so on.
GC_THRESHOLDS = (700, 10, 100)


def tune_for_interaction() -> None:
    """Freeze what start-up built, make full collections rare, hand the GIL over promptly.

    Called once the first panel is on screen (collection is off until then: a full pass in the
    middle of start-up paused the loop for 60-70 ms). Turns collection back on.
    """
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    gc.enable()
