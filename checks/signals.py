"""SIGINT and SIGTERM for a run: the first one interrupts the work, any later one waits for teardown.

    with Interrupts() as interrupts:
        try:
            ...work...              a signal raises KeyboardInterrupt here (Ctrl-C, CI cancelling a job)
        finally:
            with interrupts.held():
                ...teardown...      a signal is only recorded; KeyboardInterrupt once the block is done

A handler rather than ``pthread_sigmask``: a blocked signal may still be taken by another thread
(the API boundary's, the events reader's), and Python then runs the handler in the main thread anyway.
Once the handler has raised, it holds every later signal by itself, so the unwinding of the first
interrupt (and the teardown it leads to) cannot be cut short by a second Ctrl-C.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

ENDING = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """Installs the handlers for the block's duration (in the main thread only; elsewhere it does nothing)."""

    def __init__(self):
        self.holding = False
        self.first: int | None = None  # the signal that interrupted the work
        self.pending: int | None = None  # a signal that arrived while holding
        self._previous: dict[int, object] = {}

    def __enter__(self) -> "Interrupts":
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._handle) for sig in ENDING}
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}

    def _handle(self, signum, frame) -> None:
        if self.holding:
            self.pending = self.pending or signum
            return
        self.holding = True  # from here on, the unwinding is teardown: nothing may cut it short
        self.first = signum
        raise KeyboardInterrupt

    @property
    def name(self) -> str:
        """The interrupting signal's name (SIGINT when it was a KeyboardInterrupt raised by other means)."""
        return signal.Signals(self.first or self.pending or signal.SIGINT).name

    @contextmanager
    def held(self):
        """Signals during the block are recorded; one that came is raised as KeyboardInterrupt after it."""
        self.holding = True
        try:
            yield
        finally:
            if self.pending is not None:
                self.pending = None
                raise KeyboardInterrupt
