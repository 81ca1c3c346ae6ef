"""Worker processes of the LocalCluster that `assess org` starts leave Ctrl-C to the process that
started them.

A terminal's Ctrl-C reaches every process of the foreground group: the workers too. A worker
between tasks (the tail of a run, where one large repository keeps one worker busy and the others
wait) then died in its event loop and printed its KeyboardInterrupt and CancelledError tracebacks
over the terminal, though `assess org` itself stops cleanly (exit 130, "interrupted") and closes
the cluster, which ends its workers. Only for the cluster this process starts: the workers of an
existing cluster (``--scheduler``) are not ours to change.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from distributed import WorkerPlugin


class IgnoreInterrupt(WorkerPlugin):
    """Registered on the client: runs on every worker, including one the nanny restarts."""

    name = "assess-org-ignore-sigint"

    def setup(self, worker: Any) -> None:
        # a nanny's worker runs its event loop, and so this, in its process's main thread
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
