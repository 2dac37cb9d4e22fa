"""Where the processes of one node keep their Prometheus values (multiprocess mode).

Apart from `core.metrics` because it must run before prometheus-client is first imported: the
library picks its storage (memory, or files in PROMETHEUS_MULTIPROC_DIR) at import.
"""

import os
import re
from pathlib import Path

_FILE = re.compile(r"_(\d+)\.db$")


def default_directory(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / "metrics"


def prepare_directory(data_dir: str | os.PathLike) -> Path:
    """Set PROMETHEUS_MULTIPROC_DIR (to `data_dir`/metrics unless already set), create it and
    remove the files of processes that no longer run (a previous start's).

    Must run before prometheus-client is imported: it picks its storage at import. The files of
    live processes stay, so `jackpot serve` and `jackpot worker` started one after the other
    share the directory and the scrape sums them both.
    """
    directory = Path(
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(default_directory(data_dir)))
    )
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        match = _FILE.search(path.name)
        if match and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)
    return directory


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_ended(pid: int) -> None:
    """A child process of ours ended: its live gauges stop counting (multiprocess mode only)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
