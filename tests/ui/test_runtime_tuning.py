"""Cyclic garbage, Qt objects in it included, is collected on the main thread, never in a worker;
Qt's raster fills stay on the thread that paints."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import weakref
from pathlib import Path

import pytest
from PySide6.QtCore import QObject

from app.ui.runtime_tuning import (
    SERIAL_FILLS_VARIABLE,
    MainThreadCollector,
    paint_fills_on_the_ui_thread,
    tune_for_interaction,
)


class Holder:
    """A Python object in a reference cycle, owning a QObject: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self
        self.timer_owner = QObject()


def test_garbage_cycles_are_collected_on_the_main_thread_while_a_worker_allocates(qtbot, qapp):
    was_enabled = gc.isenabled()
    passes: list[str] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            passes.append(threading.current_thread().name)

    collector = tune_for_interaction(qapp)
    gc.callbacks.append(record)
    try:
        assert not gc.isenabled(), "the interpreter still collects in whichever thread allocates"
        assert tune_for_interaction(qapp) is collector, "a second call made a second collector"
        holder = Holder()
        dead = weakref.ref(holder)
        destroyed = []
        holder.timer_owner.destroyed.connect(lambda: destroyed.append(threading.current_thread().name))
        del holder

        kept: list[list[list[int]]] = []

        def allocate() -> None:
            # Far past the young threshold: with automatic collection on, passes would run here.
            kept.append([[n] for n in range(200_000)])

        worker = threading.Thread(target=allocate, name="worker")
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: dead() is None, timeout=5000)

        assert passes and set(passes) == {threading.main_thread().name}, passes
        assert destroyed == [threading.main_thread().name]
    finally:
        gc.callbacks.remove(record)
        collector.setParent(None)
        collector.deleteLater()
        if was_enabled:
            gc.enable()


def test_only_the_generation_that_is_due_is_collected(qapp):
    collector = MainThreadCollector(qapp, thresholds=(10**9, 10, 100), interval_ms=60_000)
    try:
        assert collector.collect_due() == -1, "a pass ran before the young generation filled up"
    finally:
        collector.setParent(None)
        collector.deleteLater()


PAINT_A_TALL_SCROLL_BAR = """
import os, sys
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollBar
from app.ui.runtime_tuning import paint_fills_on_the_ui_thread
if sys.argv[1] == "tuned":
    paint_fills_on_the_ui_thread()
app = QApplication([])
before = len(os.listdir("/proc/self/task"))
bar = QScrollBar(Qt.Orientation.Vertical)
bar.resize(16, 800)
bar.show()
app.processEvents()
for value in range(20):
    bar.setRange(0, 10_000 + value)
    bar.setValue(value * 100)
    bar.repaint()
print(len(os.listdir("/proc/self/task")) - before)
"""


def _threads_started_by_painting(mode: str) -> int:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(Path(__file__).parents[2])}
    environment.pop(SERIAL_FILLS_VARIABLE, None)
    done = subprocess.run([sys.executable, "-c", PAINT_A_TALL_SCROLL_BAR, mode], env=environment,
                          capture_output=True, text=True, timeout=60, check=True)
    return int(done.stdout.split()[-1])


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads through /proc")
def test_painting_a_tall_widget_starts_no_fill_threads_once_tuned():
    # Each process reads Qt's switch once, so each case runs in a fresh interpreter.
    assert _threads_started_by_painting("untuned") > 0, "Qt no longer fills in a thread pool: this test proves nothing"
    assert _threads_started_by_painting("tuned") == 0, "the UI thread still waits for Qt's fill threads"


def test_an_operators_own_setting_of_the_fill_switch_is_kept(monkeypatch):
    monkeypatch.setenv(SERIAL_FILLS_VARIABLE, "0")
    paint_fills_on_the_ui_thread()
    assert os.environ[SERIAL_FILLS_VARIABLE] == "0"
