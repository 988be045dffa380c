"""The demo data set: deterministic customers, orders, shipments and returns.

``build_dataset(now)`` is pure: a fixed random seed decides everything except the clock, and every
time is an offset from ``now`` (so some delivered orders are inside the 7-day return window and
some are past it whenever you seed). ``load_dataset`` replaces the demo id range in one
transaction, so re-running gives the same data without duplicates and never touches orders the
API created (see ids.py).
"""
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import bindparam, or_, select

from orders.catalog import SEED_PRODUCTS
from orders.clock import utcnow
from orders.db import Database
from orders.ids import DEMO_ID_FIRST, DEMO_ID_LAST, format_id
from orders.money import CURRENCY
from orders.schema import customers, order_items, orders, returns, shipments, tracking_events

RANDOM_SEED = 20240611
Row = Dict[str, Any]

# How many orders of each status; every status is present.
STATUS_PLAN = {
    "pending_payment": 6,
    "paid": 7,
    "shipped": 7,
    "in_transit": 8,
    "delivered": 14,
    "cancelled": 6,
    "return_requested": 5,
    "refunded": 7,
}
# Days since delivery of the `delivered` orders: half inside the return window, half past it.
DELIVERED_AGES_DAYS = (0.3, 1, 2, 3, 4, 5, 6, 9, 12, 16, 21, 30, 45, 60)
RETURN_REQUESTED_AGES_DAYS = (1, 2, 3, 4, 5)
REFUNDED_AGES_DAYS = (10, 15, 20, 28, 35, 50, 70)

# (name, email user); Chinese customers' addresses and tracking are in Chinese.
ZH_PEOPLE = [
    ("张伟", "zhang.wei"), ("王芳", "wang.fang"), ("李娜", "li.na"), ("刘洋", "liu.yang"),
    ("陈静", "chen.jing"), ("杨磊", "yang.lei"), ("赵敏", "zhao.min"), ("黄勇", "huang.yong"),
    ("周婷", "zhou.ting"), ("吴霞", "wu.xia"), ("徐明", "xu.ming"), ("孙丽", "sun.li"),
]
EN_PEOPLE = [
    ("Emily Carter", "emily.carter"), ("James Wilson", "james.wilson"), ("Olivia Brown", "olivia.brown"),
    ("Liam Johnson", "liam.johnson"), ("Sophia Davis", "sophia.davis"), ("Noah Miller", "noah.miller"),
    ("Ava Martinez", "ava.martinez"), ("Ethan Taylor", "ethan.taylor"), ("Mia Anderson", "mia.anderson"),
    ("Lucas Thomas", "lucas.thomas"), ("Grace Lee", "grace.lee"), ("Henry Walker", "henry.walker"),
]
ZH_CITIES = [  # (city, district, street)
    ("上海市", "浦东新区", "世纪大道"), ("北京市", "朝阳区", "建国路"), ("广州市", "天河区", "天河路"),
    ("深圳市", "南山区", "科技园南路"), ("杭州市", "西湖区", "文三路"), ("成都市", "武侯区", "人民南路"),
    ("南京市", "鼓楼区", "中山路"), ("武汉市", "洪山区", "珞喻路"), ("西安市", "雁塔区", "小寨东路"),
    ("苏州市", "工业园区", "星湖街"),
]
EN_CITIES = [  # (city, state, zip, street)
    ("San Francisco", "CA", "94105", "Market St"), ("Seattle", "WA", "98101", "Pine St"),
    ("Austin", "TX", "78701", "Congress Ave"), ("Boston", "MA", "02116", "Boylston St"),
    ("Chicago", "IL", "60601", "Wacker Dr"), ("New York", "NY", "10001", "W 34th St"),
    ("Denver", "CO", "80202", "Larimer St"), ("Portland", "OR", "97205", "SW Morrison St"),
]


@dataclass(frozen=True)
class Locale:
    carriers: Sequence[Tuple[str, str, int]]  # (carrier, tracking-number prefix, digits)
    warehouses: Sequence[str]
    hubs: Sequence[str]
    descriptions: Dict[str, str]


LOCALES = {
    "zh": Locale(
        carriers=[("SF Express", "SF", 12), ("ZTO Express", "75", 12)],
        warehouses=["上海青浦仓", "广州白云仓", "武汉东西湖仓"],
        hubs=["杭州转运中心", "郑州转运中心", "南京转运中心", "长沙转运中心"],
        descriptions={
            "label_created": "电子面单已生成，等待揽收",
            "picked_up": "快递员已揽收",
            "departed_facility": "快件已离开发货仓",
            "arrived_at_hub": "快件已到达转运中心",
            "out_for_delivery": "快件派送中",
            "delivered": "快件已签收",
        },
    ),
    "en": Locale(
        carriers=[("UPS", "1Z", 16), ("FedEx", "", 12)],
        warehouses=["Reno NV fulfillment center", "Columbus OH fulfillment center"],
        hubs=["Memphis TN hub", "Louisville KY hub", "Chicago IL hub", "Dallas TX hub"],
        descriptions={
            "label_created": "Shipping label created",
            "picked_up": "Picked up by the carrier",
            "departed_facility": "Departed the fulfillment center",
            "arrived_at_hub": "Arrived at the sorting hub",
            "out_for_delivery": "Out for delivery",
            "delivered": "Delivered",
        },
    ),
}
# Tracking stages in order, with the hours each one takes after the previous (min, max).
STAGES = [
    ("label_created", (6, 20)),
    ("picked_up", (2, 6)),
    ("departed_facility", (2, 8)),
    ("arrived_at_hub", (8, 20)),
    ("out_for_delivery", (10, 30)),
    ("delivered", (2, 6)),
]
# The last tracking stage each status has reached (None: not shipped).
LAST_STAGE = {
    "shipped": "picked_up",
    "in_transit": "arrived_at_hub",
    "delivered": "delivered",
    "return_requested": "delivered",
    "refunded": "delivered",
}


@dataclass
class Dataset:
    customers: List[Row] = field(default_factory=list)
    orders: List[Row] = field(default_factory=list)
    order_items: List[Row] = field(default_factory=list)
    shipments: List[Row] = field(default_factory=list)
    tracking_events: List[Row] = field(default_factory=list)
    returns: List[Row] = field(default_factory=list)

    def tables(self):
        """(table, rows) in insert order (parents first)."""
        return [
            (customers, self.customers),
            (orders, self.orders),
            (order_items, self.order_items),
            (shipments, self.shipments),
            (tracking_events, self.tracking_events),
            (returns, self.returns),
        ]


def _ago(now: datetime, days: float = 0, hours: float = 0) -> datetime:
    return now - timedelta(seconds=round(days * 86400 + hours * 3600))


def _later(moment: datetime, hours: float) -> datetime:
    return moment + timedelta(seconds=round(hours * 3600))


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _build_customers(rng: random.Random, now: datetime) -> List[Row]:
    # Distinct last-four digits, so a wrong guess in tests is never someone else's right one.
    last4s = rng.sample(range(1000, 10000), len(ZH_PEOPLE) + len(EN_PEOPLE))
    people = [("zh", p) for p in ZH_PEOPLE] + [("en", p) for p in EN_PEOPLE]
    people = [people[i // 2 + (i % 2) * len(ZH_PEOPLE)] for i in range(len(people))]  # zh, en, zh, en ...
    rows = []
    for number, ((language, (name, email_user)), last4) in enumerate(zip(people, last4s), start=1):
        if language == "zh":
            city, district, street = rng.choice(ZH_CITIES)
            phone = f"+86 1{rng.choice('3589')}{_digits(rng, 1)} {_digits(rng, 4)} {last4}"
            address = f"{city}{district}{street}{rng.randint(1, 999)}号{rng.randint(1, 20)}栋{rng.randint(101, 2805)}室"
            email = f"{email_user}@example.cn"
        else:
            city, state, zip_code, street = rng.choice(EN_CITIES)
            phone = f"+1 {rng.choice(['415', '206', '512', '617', '312', '212'])}-555-{last4}"
            address = f"{rng.randint(10, 2999)} {street}, Apt {rng.randint(1, 40)}, {city}, {state} {zip_code}"
            email = f"{email_user}@example.com"
        rows.append(
            {
                "id": format_id("C", number, width=3),
                "name": name,
                "phone": phone,
                "email": email,
                "tier": "vip" if rng.random() < 0.25 else "regular",
                "language": language,
                "created_at": _ago(now, days=rng.uniform(90, 900)),
                # Not a column: where this customer's orders go and which city the parcel ends in.
                "_address": address,
                "_city": city,
            }
        )
    rows[0]["tier"] = rows[1]["tier"] = "vip"  # at least one VIP of each language, whatever the dice say
    return rows


def _stage_times(rng: random.Random, last_stage: str, end: datetime) -> List[Tuple[str, datetime]]:
    """Times of each stage up to ``last_stage``, the last one at ``end``; plus when the order was made."""
    stages = STAGES[: [name for name, _ in STAGES].index(last_stage) + 1]
    durations = [rng.uniform(*hours) for _, hours in stages]
    # Counted back from the end, so the last stage falls exactly at ``end``.
    moments = [(name, _later(end, -sum(durations[i + 1:]))) for i, (name, _) in enumerate(stages)]
    return [("created", _later(end, -sum(durations)))] + moments


def _plan_order(rng: random.Random, status: str, now: datetime, ages: Dict[str, List[float]]) -> Row:
    """Status and timeline of one order (ids are given later, by creation time)."""
    plan: Row = {"status": status, "delivered_at": None, "stages": [], "return_at": None}
    if status == "pending_payment":
        plan["created_at"] = plan["updated_at"] = _ago(now, hours=rng.uniform(0.2, 20))
    elif status == "paid":
        plan["created_at"] = _ago(now, hours=rng.uniform(2, 40))
        plan["updated_at"] = _later(plan["created_at"], rng.uniform(0.05, 1))
    elif status == "cancelled":
        plan["created_at"] = _ago(now, days=rng.uniform(2, 30))
        plan["updated_at"] = _later(plan["created_at"], rng.uniform(1, 48))
    else:
        if status in ("shipped", "in_transit"):
            end = _ago(now, hours=rng.uniform(1, 12))
        else:
            end = _ago(now, days=ages[status].pop(0))
        timeline = _stage_times(rng, LAST_STAGE[status], end)
        plan["created_at"] = timeline[0][1]
        plan["stages"] = timeline[1:]
        plan["updated_at"] = end
        if LAST_STAGE[status] == "delivered":
            plan["delivered_at"] = end
        if status == "return_requested":
            age_hours = (now - end).total_seconds() / 3600
            plan["return_at"] = plan["updated_at"] = _later(end, rng.uniform(0.2, 0.8) * age_hours)
        elif status == "refunded":
            plan["return_at"] = _later(end, rng.uniform(24, 144))
            plan["updated_at"] = _later(plan["return_at"], rng.uniform(12, 72))
    return plan


def _tracking_number(rng: random.Random, prefix: str, digits: int) -> str:
    if prefix == "1Z":  # UPS numbers mix letters and digits
        return prefix + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(digits))
    return prefix + _digits(rng, digits)


RETURN_REASONS = {
    "zh": ["尺码不合适", "商品有瑕疵", "与描述不符", "不想要了"],
    "en": ["Wrong size", "Item arrived damaged", "Not as described", "Changed my mind"],
}


def build_dataset(now: Optional[datetime] = None) -> Dataset:
    now = (now or utcnow()).replace(microsecond=0)
    rng = random.Random(RANDOM_SEED)
    data = Dataset()
    people = _build_customers(rng, now)

    statuses = [status for status, count in STATUS_PLAN.items() for _ in range(count)]
    rng.shuffle(statuses)
    # Everyone has at least one order; the rest go to random customers.
    owners = [person for person in people] + [rng.choice(people) for _ in range(len(statuses) - len(people))]
    rng.shuffle(owners)
    ages = {
        "delivered": list(DELIVERED_AGES_DAYS),
        "return_requested": list(RETURN_REQUESTED_AGES_DAYS),
        "refunded": list(REFUNDED_AGES_DAYS),
    }
    for age_list in ages.values():
        rng.shuffle(age_list)
    plans = []
    for status, owner in zip(statuses, owners):
        plan = _plan_order(rng, status, now, ages)
        plan["owner"] = owner
        skus = rng.sample(sorted(SEED_PRODUCTS), rng.choice([1, 1, 1, 2, 2, 3]))
        plan["items"] = [(sku, rng.choice([1, 1, 1, 1, 2, 3]), SEED_PRODUCTS[sku]) for sku in skus]
        locale = LOCALES[owner["language"]]
        plan["carrier"] = rng.choice(locale.carriers)
        plan["tracking_number"] = _tracking_number(rng, plan["carrier"][1], plan["carrier"][2])
        plan["route"] = (rng.choice(locale.warehouses), rng.choice(locale.hubs))
        plan["reason"] = rng.choice(RETURN_REASONS[owner["language"]])
        plans.append(plan)

    # Ids follow creation time, as a real shop's would.
    plans.sort(key=lambda p: p["created_at"])
    for number, plan in enumerate(plans, start=DEMO_ID_FIRST):
        plan["id"] = format_id("A", number)
    for number, plan in enumerate(sorted((p for p in plans if p["return_at"]), key=lambda p: p["return_at"]),
                                  start=DEMO_ID_FIRST):
        plan["return_id"] = format_id("R", number)

    data.customers = [{k: v for k, v in person.items() if not k.startswith("_")} for person in people]
    for plan in plans:
        _add_order(data, plan)
    return data


def _add_order(data: Dataset, plan: Row) -> None:
    owner, order_id = plan["owner"], plan["id"]
    lines = [
        {"order_id": order_id, "line_no": n, "sku": sku, "quantity": qty, "unit_price_cents": price,
         "amount_cents": qty * price}
        for n, (sku, qty, price) in enumerate(plan["items"], start=1)
    ]
    data.order_items.extend(lines)
    data.orders.append(
        {
            "id": order_id,
            "customer_id": owner["id"],
            "status": plan["status"],
            "currency": CURRENCY,
            "total_cents": sum(line["amount_cents"] for line in lines),
            "shipping_address": owner["_address"],
            "created_at": plan["created_at"],
            "updated_at": plan["updated_at"],
            "delivered_at": plan["delivered_at"],
        }
    )
    if plan["stages"]:
        data.shipments.append(
            {"order_id": order_id, "carrier": plan["carrier"][0], "tracking_number": plan["tracking_number"]}
        )
        locale = LOCALES[owner["language"]]
        warehouse, hub = plan["route"]
        where = {
            "label_created": warehouse,
            "picked_up": warehouse,
            "departed_facility": warehouse,
            "arrived_at_hub": hub,
            "out_for_delivery": owner["_city"],
            "delivered": owner["_city"],
        }
        for seq, (code, moment) in enumerate(plan["stages"], start=1):
            data.tracking_events.append(
                {"order_id": order_id, "seq": seq, "occurred_at": moment, "code": code,
                 "description": locale.descriptions[code], "location": where[code]}
            )
    if plan["return_at"]:
        data.returns.append(
            {"id": plan["return_id"], "order_id": order_id, "reason": plan["reason"], "created_at": plan["return_at"]}
        )


def _demo_range(column, prefix: str):
    return column.between(format_id(prefix, DEMO_ID_FIRST), format_id(prefix, DEMO_ID_LAST))


async def load_dataset(db: Database, data: Dataset) -> None:
    """Replaces the demo data in one transaction: all of it lands, or none of it."""
    async with db.write() as conn:
        demo_orders = select(orders.c.id).where(_demo_range(orders.c.id, "A"))
        await conn.execute(
            returns.delete().where(or_(returns.c.order_id.in_(demo_orders), _demo_range(returns.c.id, "R")))
        )
        for child in (tracking_events, shipments, order_items):
            await conn.execute(child.delete().where(child.c.order_id.in_(demo_orders)))
        await conn.execute(orders.delete().where(_demo_range(orders.c.id, "A")))

        # Customers may own orders the API created, so they are updated in place, not deleted.
        wanted = [row["id"] for row in data.customers]
        existing = set((await conn.execute(select(customers.c.id).where(customers.c.id.in_(wanted)))).scalars())
        # Bound names must differ from column names in an UPDATE's SET clause, hence the prefix.
        updates = [{f"b_{k}": v for k, v in row.items()} for row in data.customers if row["id"] in existing]
        if updates:
            columns = {name: bindparam(f"b_{name}") for name in data.customers[0] if name != "id"}
            await conn.execute(customers.update().where(customers.c.id == bindparam("b_id")).values(columns), updates)
        inserts = [row for row in data.customers if row["id"] not in existing]
        if inserts:
            await conn.execute(customers.insert(), inserts)

        for table, rows in data.tables()[1:]:
            if rows:
                await conn.execute(table.insert(), rows)


async def seed(database_url: str, now: Optional[datetime] = None) -> Dict[str, int]:
    """Creates the schema if needed and loads the demo data; returns row counts per table."""
    db = Database(database_url)
    try:
        await db.create_schema()
        data = build_dataset(now)
        await load_dataset(db, data)
        return {table.name: len(rows) for table, rows in data.tables()}
    finally:
        await db.close()
