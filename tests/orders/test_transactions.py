"""A change is one transaction: when a late step fails, the earlier steps are rolled back too.
Runs the store on a real SQLite file in-process, so a failure can be forced between two writes."""
import pytest
from sqlalchemy import func, select

from orders import rules, store
from orders.clock import utcnow
from orders.db import Database
from orders.schema import returns
from orders.seed import build_dataset, load_dataset


@pytest.fixture
async def seeded_db(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'tx.sqlite3'}")
    await db.create_schema()
    now = utcnow()
    data = build_dataset(now)
    await load_dataset(db, data)
    yield db, data, now
    await db.close()


async def test_return_failing_after_status_change_leaves_order_delivered(seeded_db, monkeypatch):
    db, data, now = seeded_db
    order = next(o for o in data.orders
                 if o["status"] == "delivered" and now - o["delivered_at"] < rules.RETURN_WINDOW)

    async def broken_insert(*_args, **_kwargs):
        raise RuntimeError("disk full")  # after the status UPDATE, before the return row

    monkeypatch.setattr(store, "insert_return", broken_insert)
    with pytest.raises(RuntimeError):
        await db.run_write(lambda conn: store.request_return(conn, order["id"], "Wrong size", utcnow()))
    async with db.read() as conn:
        after = await store.get_order(conn, order["id"], utcnow())
        count = (await conn.execute(select(func.count()).select_from(returns))).scalar()
    assert after["status"] == "delivered" and after["return"] is None
    assert count == len(data.returns)


async def test_loading_the_seed_twice_gives_the_same_rows(seeded_db):
    db, data, now = seeded_db
    await load_dataset(db, build_dataset(now))
    async with db.read() as conn:
        count = (await conn.execute(select(func.count()).select_from(returns))).scalar()
        listing = await store.list_customer_orders(conn, "C001")
    assert count == len(data.returns)
    assert len(listing["orders"]) == len([o for o in data.orders if o["customer_id"] == "C001"])
