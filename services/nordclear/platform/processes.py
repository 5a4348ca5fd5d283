"""Child processes that must not outlive the process that started them."""

from __future__ import annotations

import ctypes
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def _terminate_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to SIGTERM the child when its parent dies, however it dies.

    Without it a supervisor killed by SIGKILL would leave a broker and services running with nobody to
    stop them. Elsewhere than Linux there is no such facility and None is returned.
    """
    return _terminate_with_parent if sys.platform == "linux" else None
