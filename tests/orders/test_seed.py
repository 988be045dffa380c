"""The demo data: deterministic, big and varied enough, idempotent to load, SKUs from the KG seed."""
import csv
import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from orders.catalog import SEED_PRODUCTS
from orders.db import Database
from orders.ids import is_customer_id, is_order_id
from orders.rules import ORDER_STATUSES, RETURN_WINDOW
from orders.seed import build_dataset
from orders.store import NewItem, create_order
from tests.orders.conftest import ROOT, orders_env, run_cli

NOW = datetime(2024, 6, 1, 12, 0, 0)
TIME_FIELDS = {"created_at", "updated_at", "delivered_at", "occurred_at"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _without_times(data):
    return {table.name: [{k: v for k, v in row.items() if k not in TIME_FIELDS} for row in rows]
            for table, rows in data.tables()}


def kg_seed_skus() -> set:
    """Every SKU in the knowledge graph's seed files, CSV or YAML (whichever the KG keeps)."""
    skus = set()
    seed_dir = ROOT / "kg" / "seed"
    for path in seed_dir.glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as handle:
            skus.update(row["sku"] for row in csv.DictReader(handle) if row.get("sku"))

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "sku" and isinstance(value, str):
                    skus.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in list(seed_dir.glob("*.yaml")) + list(seed_dir.glob("*.yml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return skus


def test_every_seeded_sku_is_in_the_knowledge_graph_seed():
    known = kg_seed_skus()
    assert known, "no SKUs found under kg/seed/"
    assert set(SEED_PRODUCTS) <= known, sorted(set(SEED_PRODUCTS) - known)
    used = {item["sku"] for item in build_dataset(NOW).order_items}
    assert used <= known


def test_same_clock_gives_identical_data():
    assert build_dataset(NOW) == build_dataset(NOW)


def test_another_clock_only_shifts_the_times():
    earlier, later = build_dataset(NOW), build_dataset(NOW + timedelta(days=3, seconds=17))
    assert _without_times(earlier) == _without_times(later)
    for a, b in zip(earlier.orders, later.orders):
        assert b["created_at"] - a["created_at"] == timedelta(days=3, seconds=17)


def test_size_and_variety():
    data = build_dataset(NOW)
    assert len(data.orders) >= 50 and len(data.customers) >= 20
    assert {o["status"] for o in data.orders} == set(ORDER_STATUSES)
    assert {c["id"] for c in data.customers} == {o["customer_id"] for o in data.orders}, "someone has no order"
    by_language = {lang: [c for c in data.customers if c["language"] == lang] for lang in ("zh", "en")}
    assert all(CJK.search(c["name"]) for c in by_language["zh"]) and by_language["zh"]
    assert all(not CJK.search(c["name"]) for c in by_language["en"]) and by_language["en"]
    assert {c["language"] for c in data.customers if c["tier"] == "vip"} == {"zh", "en"}
    assert all(is_order_id(o["id"]) for o in data.orders)
    assert all(is_customer_id(c["id"]) for c in data.customers)
    ages = [NOW - o["delivered_at"] for o in data.orders if o["status"] == "delivered"]
    assert any(age <= timedelta(days=5) for age in ages), "no delivered order inside the return window"
    assert any(age >= timedelta(days=9) for age in ages), "no delivered order past the return window"


def test_rows_are_consistent():
    data = build_dataset(NOW)
    items = {}
    for item in data.order_items:
        items.setdefault(item["order_id"], []).append(item)
        assert item["amount_cents"] == item["quantity"] * item["unit_price_cents"]
    events = {}
    for event in data.tracking_events:
        events.setdefault(event["order_id"], []).append(event)
    returns = {r["order_id"]: r for r in data.returns}
    for order in data.orders:
        assert order["total_cents"] == sum(i["amount_cents"] for i in items[order["id"]])
        assert order["created_at"] <= order["updated_at"] <= NOW
        times = [e["occurred_at"] for e in events.get(order["id"], [])]
        assert times == sorted(times)
        shipped = order["status"] in ("shipped", "in_transit", "delivered", "return_requested", "refunded")
        assert bool(times) == shipped, order
        if order["delivered_at"]:
            assert times[-1] == order["delivered_at"]
        assert (order["id"] in returns) == (order["status"] in ("return_requested", "refunded"))
        if order["id"] in returns:
            assert order["delivered_at"] < returns[order["id"]]["created_at"]
            assert returns[order["id"]]["created_at"] <= order["delivered_at"] + RETURN_WINDOW


def _dump(db_file: Path):
    with sqlite3.connect(db_file) as conn:
        tables = ["customers", "orders", "order_items", "shipments", "tracking_events", "returns"]
        dump = {}
        for table in tables:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})") if row[1] not in TIME_FIELDS]
            dump[table] = sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall())
        return dump


async def test_seed_command_is_idempotent_and_keeps_api_orders(tmp_path):
    db_file = tmp_path / "seed.sqlite3"
    url = f"sqlite+aiosqlite:///{db_file}"
    env = orders_env(url)
    first = run_cli(env, "seed")
    assert first.returncode == 0, first.stderr
    once = _dump(db_file)
    assert len(once["orders"]) >= 50 and len(once["customers"]) >= 20

    db = Database(url)
    try:
        async with db.write() as conn:
            made = await create_order(conn, "C001", [NewItem("PH-P30", 1, 399900)], "上海市静安区1号", "paid",
                                      NOW)
    finally:
        await db.close()

    second = run_cli(env, "seed")
    assert second.returncode == 0, second.stderr
    twice = _dump(db_file)
    kept = [row for row in twice["orders"] if row[0] == made["id"]]
    assert len(kept) == 1, "re-seeding removed an order the API created"
    twice["orders"] = [row for row in twice["orders"] if row[0] != made["id"]]
    twice["order_items"] = [row for row in twice["order_items"] if row[0] != made["id"]]
    assert twice == once
