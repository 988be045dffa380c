"""Numbers every benchmark reports the same way: latency percentiles and a process's CPU and memory."""
import os
import statistics
from typing import Any, Dict, List, Optional

from ops.process import LocalServer, our_pid


def latency_stats(samples: List[float]) -> Dict[str, Any]:
    if not samples:
        return {"count": 0}
    cuts = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else [samples[0]] * 99
    return {"count": len(samples), "p50": round(cuts[49], 2), "p95": round(cuts[94], 2),
            "p99": round(cuts[98], 2), "max": round(max(samples), 2),
            "mean": round(statistics.fmean(samples), 2)}


def process_usage(pid: Optional[int]) -> Dict[str, float]:
    """CPU seconds so far and resident memory (now and peak) of a live process, from /proc."""
    if pid is None:
        return {}
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/status") as status:
            memory = {line.split(":")[0]: int(line.split()[1]) for line in status
                      if line.startswith(("VmRSS:", "VmHWM:"))}
    except OSError:
        return {}
    ticks = os.sysconf("SC_CLK_TCK")
    return {"pid": pid, "cpu_seconds": round((int(fields[11]) + int(fields[12])) / ticks, 2),
            "rss_mib": round(memory.get("VmRSS", 0) / 1024, 1),
            "peak_rss_mib": round(memory.get("VmHWM", 0) / 1024, 1)}


def usage_of(servers: Dict[str, LocalServer], this_process: str) -> Dict[str, Dict[str, float]]:
    """process_usage of each server this project started (an external one gives {}), and of the
    calling process under the name `this_process`."""
    found = {name: process_usage(our_pid(server)) for name, server in servers.items()}
    found[this_process] = process_usage(os.getpid())
    return found
