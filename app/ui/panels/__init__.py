"""One package per module panel (`contacts`, `tickets`, …), each with a `panel.py`."""
