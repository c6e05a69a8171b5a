"""Wake-ups: a step that commits new jobs wakes this process's idle worker threads."""

from __future__ import annotations

import threading


class JobSignal:
    """Wakes idle workers of this process when a step commits new jobs.

    A notice wakes one idle thread, not all of them: the rest would only find nothing to claim.
    A thread that claims a job notifies again, so a batch of jobs wakes as many threads as it needs.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generation = 0

    def notify(self) -> None:
        """New jobs were committed: wake one idle thread."""
        with self._condition:
            self._generation += 1
            self._condition.notify()

    def notify_all(self) -> None:
        """Wake every idle thread (workers that stop)."""
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Wait until a generation after `seen` or the timeout; the current generation."""
        with self._condition:
            if self._generation == seen:
                self._condition.wait(timeout)
            return self._generation

    @property
    def generation(self) -> int:
        """How many times new jobs were announced."""
        return self._generation
