"""The load bench's numbers: per system, per channel and per turn type; ratios to the baseline; the
slowest turn type and its steps; as JSON and as a Markdown table."""
from typing import Any, Dict, List, Optional

from bench.breakdown import slowest_step
from bench.load import LoadResult, by_kind
from ops.measure import latency_stats

TARGET_P95_MS = 300.0
TARGET_P50_RATIO = 1.5


def add_usage(total: Dict[str, Dict], before: Dict[str, Dict], after: Dict[str, Dict]) -> None:
    """Adds each process's CPU seconds between `before` and `after` (one slice of load) to `total`,
    and keeps its latest memory."""
    for name, end in after.items():
        start = before.get(name, {})
        if not end or "cpu_seconds" not in start:
            continue
        entry = total.setdefault(name, {"cpu_seconds": 0.0})
        entry["cpu_seconds"] += end["cpu_seconds"] - start["cpu_seconds"]
        entry.update(rss_mib=end["rss_mib"], peak_rss_mib=end["peak_rss_mib"])


def processes_during(total: Dict[str, Dict], seconds: float) -> Dict[str, Dict]:
    """Each process's CPU use while its system's load ran (100% = one core busy; `total` from
    add_usage) and its peak memory so far."""
    return {name: {"cpu_seconds_during_load": round(used["cpu_seconds"], 2),
                   "cpu_percent_during_load": round(100 * used["cpu_seconds"] / seconds, 1),
                   "rss_mib": used["rss_mib"], "peak_rss_mib": used["peak_rss_mib"]}
            for name, used in total.items()}


def system_summary(load: LoadResult, steps: Dict[str, Dict[str, float]],
                   processes: Dict[str, Dict]) -> Dict[str, Any]:
    samples = load.samples
    channels = sorted({sample.channel for sample in samples})
    return {
        "measured_seconds": load.seconds,
        "conversations": load.conversations,
        "turns": len(samples),
        "turns_per_second": round(len(samples) / load.seconds, 2) if load.seconds else 0,
        "errors": dict(load.errors),
        "error_examples": load.error_examples,
        "latency_ms": latency_stats([s.complete_ms for s in samples]),
        "first_message_ms": latency_stats([s.first_ms for s in samples]),
        "by_channel": {channel: latency_stats([s.complete_ms for s in samples if s.channel == channel])
                       for channel in channels},
        "by_turn_type": {kind: latency_stats([s.complete_ms for s in group])
                         for kind, group in by_kind(samples).items()},
        "steps_ms_by_turn_type": steps,
        "processes": processes,
        "bench_loop_lag_ms": latency_stats(load.loop_lag_ms),
    }


def _ratio(ours: Dict[str, Any], baseline: Dict[str, Any], key: str) -> Optional[float]:
    if not ours.get("count") or not baseline.get("count") or not baseline[key]:
        return None
    return round(ours[key] / baseline[key], 2)


def compare(config: Dict[str, Any], systems: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    result: Dict[str, Any] = {"config": config, "systems": systems}
    ours = systems.get("ours")
    if ours is None:
        return result
    slow_kind = max(ours["by_turn_type"], key=lambda kind: ours["by_turn_type"][kind].get("p95", 0), default=None)
    if slow_kind:
        steps = ours["steps_ms_by_turn_type"].get(slow_kind, {})
        result["slowest_turn_type"] = {"kind": slow_kind, "latency_ms": ours["by_turn_type"][slow_kind],
                                       "steps_ms": steps, "biggest_step": slowest_step(steps)}
    result["targets"] = {"p95_ms": TARGET_P95_MS, "p50_ratio_to_baseline": TARGET_P50_RATIO, "errors": 0}
    meets = {"p95": ours["latency_ms"].get("p95", float("inf")) <= TARGET_P95_MS,
             "errors": not ours["errors"]}
    if "baseline" in systems:
        baseline = systems["baseline"]
        result["ratio_to_baseline"] = {key: _ratio(ours["latency_ms"], baseline["latency_ms"], key)
                                       for key in ("p50", "p95", "p99")}
        ratio = result["ratio_to_baseline"]["p50"]
        meets["p50_ratio"] = ratio is not None and ratio <= TARGET_P50_RATIO
    result["meets_targets"] = meets
    return result


def _row(label: str, stats: Dict[str, Any], *extra: Any) -> str:
    if not stats.get("count"):
        return f"| {label} | 0 |" + " |" * (5 + len(extra))
    numbers = " | ".join(f"{stats[key]:.0f}" for key in ("p50", "p95", "p99", "max"))
    return f"| {label} | {stats['count']} | {numbers} |" + "".join(f" {value} |" for value in extra)


def markdown(result: Dict[str, Any]) -> str:
    config, systems = result["config"], result["systems"]
    lines: List[str] = [
        f"## Turn latency: {config['users']} customers, {config['seconds']} s each, think time "
        f"{config['think_seconds'][0]}-{config['think_seconds'][1]} s ({config['cores']} cores)", "",
        "| system | turns | p50 ms | p95 ms | p99 ms | max ms | turns/s | errors |", "|---|---|---|---|---|---|---|---|"]
    for name, system in systems.items():
        errors = ", ".join(f"{kind} {count}" for kind, count in system["errors"].items()) or "0"
        lines.append(_row(name, system["latency_ms"], system["turns_per_second"], errors))
    if "ratio_to_baseline" in result:
        ratio = result["ratio_to_baseline"]
        lines += ["", f"ours / baseline: p50 {ratio['p50']}x, p95 {ratio['p95']}x, p99 {ratio['p99']}x"]
    lines += ["", "| turn type (p50 / p95 ms) | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    kinds = sorted({kind for system in systems.values() for kind in system["by_turn_type"]})
    for kind in kinds:
        cells = []
        for system in systems.values():
            stats = system["by_turn_type"].get(kind, {})
            cells.append(f"{stats['p50']:.0f} / {stats['p95']:.0f}" if stats.get("count") else "")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    for channel in sorted({c for system in systems.values() for c in system["by_channel"]}):
        cells = [f"{s['by_channel'][channel]['p50']:.0f} / {s['by_channel'][channel]['p95']:.0f}"
                 if s["by_channel"].get(channel, {}).get("count") else "" for s in systems.values()]
        lines.append(f"| all turns on {channel} | " + " | ".join(cells) + " |")
    slow = result.get("slowest_turn_type")
    if slow:
        lines += ["", f"Slowest turn type (ours): **{slow['kind']}**, p95 {slow['latency_ms']['p95']:.0f} ms. "
                      "Where its time goes (mean ms per step, from Rasa's event timestamps):", ""]
        lines += [f"- {step}: {ms:.1f}" for step, ms in sorted(slow["steps_ms"].items(), key=lambda kv: -kv[1])]
    lines += ["", "| process | CPU during load (% of a core) | peak RSS MiB |", "|---|---|---|"]
    for name, system in systems.items():
        for process, usage in system["processes"].items():
            lines.append(f"| {name}: {process} | {usage['cpu_percent_during_load']} | {usage['peak_rss_mib']} |")
    if "meets_targets" in result:
        meets = result["meets_targets"]
        verdicts = [f"p95 <= {TARGET_P95_MS:.0f} ms: {'yes' if meets['p95'] else 'NO'}",
                    f"zero errors: {'yes' if meets['errors'] else 'NO'}"]
        if "p50_ratio" in meets:
            verdicts.append(f"p50 <= {TARGET_P50_RATIO}x baseline: {'yes' if meets['p50_ratio'] else 'NO'}")
        lines += ["", "Targets: " + "; ".join(verdicts)]
    return "\n".join(lines) + "\n"
