"""The numbers of `python -m handoff.bench`: percentiles, process usage, the JSON and the Markdown."""
from typing import Any, Dict, Optional

from ops.measure import latency_stats

TARGET_P99_MS = 50.0


def _processes(raw: Dict[str, Any], final: Dict[str, Dict[str, float]], elapsed: float) -> Dict[str, Any]:
    """Each process's totals, and its CPU use while the load ran (100% = one core busy)."""
    found = {}
    for name, end in final.items():
        if not end:
            continue
        before = raw["usage_before"].get(name, {}).get("cpu_seconds")
        after = raw["usage_after"].get(name, {}).get("cpu_seconds")
        during = round(after - before, 2) if before is not None and after is not None else None
        percent = round(100 * during / elapsed, 1) if during is not None else None
        found[name] = {**end, "cpu_seconds_during_load": during, "cpu_percent_during_load": percent}
    return found


def _meets(stats: Dict[str, Any]) -> Optional[bool]:
    return stats["p99"] <= TARGET_P99_MS if stats.get("count") else None  # None: direction not loaded


def summarize(raw: Dict[str, Any], config: Dict[str, Any], final: Dict[str, Dict[str, float]]) -> Dict[str, Any]:
    elapsed = raw["elapsed"]

    def direction(name: str, *series: str) -> Dict[str, Any]:
        part = dict(raw[name])
        numbers = {key: latency_stats(part.pop(key)) for key in series}
        return {**part, "per_second": round(part["arrived"] / elapsed, 1), **numbers}

    customers = direction("customer_to_agent", "latency_ms", "after_kafka_ms")
    agents = direction("agent_to_customer", "latency_ms", "service_ms", "rasa_direct_ms")
    broken = sum(side[kind] for side in (customers, agents) for kind in ("lost", "duplicated", "out_of_order"))
    return {
        "config": config, "measured_seconds": round(elapsed, 1), "setup": raw["setup"],
        "customer_to_agent": customers, "agent_to_customer": agents, "errors": raw["errors"],
        "bench_loop_lag_ms": latency_stats(raw["loop_lag_ms"]),
        "processes": _processes(raw, final, elapsed),
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": {"customer_to_agent": _meets(customers["after_kafka_ms"]),
                         "agent_to_customer": _meets(agents["service_ms"])},
        "ok": broken == 0 and not raw["errors"],
    }


def _row(label: str, stats: Dict[str, Any], per_second: Any = "") -> str:
    if not stats.get("count"):
        return f"| {label} | 0 | | | | | | |"
    return (f"| {label} | {stats['count']} | {per_second} | {stats['p50']:.1f} | {stats['p95']:.1f} | "
            f"{stats['p99']:.1f} | {stats['max']:.1f} |")


def markdown(result: Dict[str, Any]) -> str:
    config, customers, agents = result["config"], result["customer_to_agent"], result["agent_to_customer"]
    lines = [f"## Handoff relay: {config['customers']} customers, {config['agents']} agents, "
             f"{result['measured_seconds']} s",
             "", "| latency (ms) | messages | per s | p50 | p95 | p99 | max |", "|---|---|---|---|---|---|---|",
             _row("customer→agent: Kafka produce → agent socket", customers["latency_ms"],
                  customers["per_second"]),
             _row("customer→agent inside the service: broker append → agent socket",
                  customers["after_kafka_ms"]),
             _row("agent→customer: socket message → `ok` (incl. Rasa append)", agents["latency_ms"],
                  agents["per_second"]),
             _row("agent→customer inside the service: the same minus the service's Rasa call",
                  agents["service_ms"]),
             _row("Rasa's tracker append, called directly by the bench", agents["rasa_direct_ms"]),
             "", "| delivery | sent | arrived | lost | duplicated | out of order |", "|---|---|---|---|---|---|"]
    for label, side in (("customer→agent socket", customers), ("agent→customer outbox", agents)):
        lines.append(f"| {label} | {side['sent']} | {side['arrived']} | {side['lost']} | {side['duplicated']} | "
                     f"{side['out_of_order']} |")
    lines += ["", "| process | CPU s (total) | CPU during load | peak RSS MiB |", "|---|---|---|---|"]
    for name, usage in result["processes"].items():
        lines.append(f"| {name} | {usage['cpu_seconds']} | {usage['cpu_percent_during_load']}% of a core | "
                     f"{usage['peak_rss_mib']} |")
    lag = result["bench_loop_lag_ms"]
    lines += ["", f"errors: {result['errors'] or 'none'}",
              f"bench's own event-loop lag: p99 {lag.get('p99')} ms, max {lag.get('max')} ms",
              f"setup: {result['setup']['seconds']} s (login p50 {result['setup']['login_ms'].get('p50')} ms, "
              f"POST /api/handoffs p50 {result['setup']['post_handoff_ms'].get('p50')} ms, "
              f"max {result['setup']['post_handoff_ms'].get('max')} ms)", ""]
    verdicts = (("customer→agent (inside the service)", customers["after_kafka_ms"], "customer_to_agent"),
                ("agent→customer (inside the service)", agents["service_ms"], "agent_to_customer"))
    for label, stats, key in verdicts:
        meets = result["meets_target"][key]
        verdict = "not measured" if meets is None else "meets" if meets else "MISSES"
        lines.append(f"{label}: p99 {stats.get('p99')} ms: {verdict} (target p99 <= {TARGET_P99_MS:.0f} ms)")
    return "\n".join(lines)
