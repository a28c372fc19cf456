"""How the console's interpreter collects cyclic garbage once it is up.

Set for an interactive program whose UI thread shares the GIL with worker threads (the page
cache, the shell's blocking calls), and measured with the contacts benchmark:
- Start-up builds tens of thousands of long-lived objects (modules, Qt wrappers). They are frozen
  out of the collector's full passes, which otherwise paused scrolling for 30-220 ms with big
  tables, and full passes are made rare: pages of records are mostly freed by reference counting.
- Young collections stay small (CPython's 700): every new table row is a tracked tuple until a
  young pass first looks at it, and with a 20,000 threshold each pass examined ~20,000 rows,
  3-14 ms holding the GIL (in whichever thread allocated last, often the cache's) while the
  table scrolled. At 700 a young pass takes under 1 ms.
(A shorter GIL switch interval, 1 ms instead of 5, was tried too: three interleaved A/B runs of
the search benchmark showed no difference, so the interpreter's default stays.)
"""

from __future__ import annotations

import gc

#: Allocations before a young collection; how many young ones before a middle one, and so on.
GC_THRESHOLDS = (700, 10, 100)


def tune_for_interaction() -> None:
    """Freeze what start-up built, keep young collections small and full ones rare.

    Called once the first panel is on screen (collection is off until then: a full pass in the
    middle of start-up paused the loop for 60-70 ms). Turns collection back on.
    """
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    gc.enable()
