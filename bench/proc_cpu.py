"""CPU time of processes from /proc (utime + stime, all threads), for benchmarks that split a
run's CPU between the load generator, the web processes and Meilisearch."""

import contextlib
import os
import resource
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """The fields of /proc/pid/stat after the command name (field 3, state, is [0])."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def cpu_ms(pid: int) -> float:
    """utime + stime of a process (all its threads), in ms."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK


def tree_cpu_ms(pid: int) -> float:
    """cpu_ms of pid and of every live descendant (uvicorn's web processes under `chipwatch
    serve --workers N`)."""
    return sum(each_cpu_ms(pid).values())


def each_cpu_ms(pid: int) -> dict[int, float]:
    """cpu_ms of pid and of each live descendant, by pid."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # ended meanwhile
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
    out, todo = {}, [pid]
    while todo:
        current = todo.pop()
        try:
            out[current] = cpu_ms(current)
        except (FileNotFoundError, ProcessLookupError):
            continue
        todo.extend(children.get(current, ()))
    return out


def own_cpu_ms() -> float:
    """This process's CPU (every thread), in ms: the load generator's cost."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (usage.ru_utime + usage.ru_stime) * 1000
