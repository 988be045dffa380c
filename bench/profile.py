"""Sampling a process with py-spy while the load runs, and the functions that took its time.

py-spy reads the stacks from outside (no change to the process); `--nonblocking` keeps it from pausing
the process at each sample, so the latencies measured meanwhile stay honest. The collapsed stacks are
kept for a flame graph tool; the summary names the functions with the most samples, counting a
function once per sample however deep it recurses (inclusive) and where the sample was taken (self).
"""
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

PY_SPY = Path(sys.executable).with_name("py-spy")


def start_recording(pid: int, seconds: float, output: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(PY_SPY), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "100",
         "--nonblocking", "--format", "raw", "--output", str(output)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish_recording(recording: subprocess.Popen) -> None:
    _, errors = recording.communicate(timeout=120)
    if recording.returncode != 0:
        raise RuntimeError(f"py-spy failed: {errors.decode(errors='replace')[-300:]}")


def read_stacks(collapsed: Path) -> List[Tuple[List[str], int]]:
    stacks = []
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def top_functions(collapsed: Path, limit: int = 15) -> Dict[str, List[Dict[str, object]]]:
    stacks = read_stacks(collapsed)
    total = sum(count for _, count in stacks) or 1
    inclusive: Counter = Counter()
    own: Counter = Counter()
    for frames, count in stacks:
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count

    def listing(counter: Counter) -> List[Dict[str, object]]:
        return [{"function": frame, "share": round(count / total, 3)} for frame, count in counter.most_common(limit)]

    return {"samples": total, "inclusive": listing(inclusive), "self": listing(own)}
