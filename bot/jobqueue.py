"""PTB's job queue, paused before it stops, so that stopping the bot logs no error.

``JobQueue.stop`` waits for the jobs running at that moment, then shuts APScheduler down, and
the shutdown cancels whatever the scheduler submitted in between. A reminder round that fell
due in that gap was cancelled before it began and APScheduler logged it at ERROR level ("Error
running job … CancelledError") — a false alarm in the log of every such stop (seen in the suite,
where the reminder poll runs every 0.1 s; in production a stop inside the gap does the same).
Pausing first means no job begins after the wait; the running ones still finish.
"""
from __future__ import annotations

from telegram.ext import ContextTypes, JobQueue


class DrainingJobQueue(JobQueue[ContextTypes.DEFAULT_TYPE]):
    async def stop(self, wait: bool = True) -> None:
        if self.scheduler.running:
            self.scheduler.pause()  # APScheduler submits nothing while paused
        await super().stop(wait)
