"""Cyclic garbage, Qt objects in it included, is collected on the main thread, never in a worker."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from app.ui.runtime_tuning import MainThreadCollector, tune_for_interaction


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
