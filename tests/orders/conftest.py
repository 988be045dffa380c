"""A real order API for the tests: `python -m orders seed` then `python -m orders serve` on a free
port, with a temporary SQLite file (or ORDERS_TEST_DATABASE_URL) and test tokens.

One server for the whole session; each test that changes orders takes its own, from the seeded
data (OrderPicker) or freshly created (Api.new_order), so no test sees another's changes."""
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Dict, List, Optional, Set

import aiohttp
import pytest

from ops.process import free_port
from orders.clock import utcnow
from orders.seed import Dataset, build_dataset

ROOT = Path(__file__).resolve().parents[2]
SERVICE_TOKEN = "test-service-token-0123456789"
ADMIN_TOKEN = "test-admin-token-9876543210"
START_TIMEOUT = 20.0


def orders_env(database_url: str, port: int = 0, **extra: str) -> Dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ORDERS_")}
    env.update(
        ORDERS_DATABASE_URL=database_url,
        ORDERS_HOST="127.0.0.1",
        ORDERS_PORT=str(port or free_port()),
        ORDERS_READ_TOKEN=SERVICE_TOKEN,
        ORDERS_ADMIN_TOKEN=ADMIN_TOKEN,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.update(extra)
    return env


def run_cli(env: Dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orders", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@dataclass
class ServerProcess:
    url: str
    env: Dict[str, str]
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(env: Dict[str, str], log_path: Path, healthy: bool = True) -> ServerProcess:
    """Starts `serve` and waits until /health answers (200, or any status when ``healthy`` is False)."""
    url = f"http://127.0.0.1:{env['ORDERS_PORT']}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "orders", "serve"], env=env, cwd=ROOT, stdout=log,
                                   stderr=subprocess.STDOUT)
    server = ServerProcess(url, env, process, log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"order API exited with {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=1) as response:
                if response.status == 200:
                    return server
        except urllib.error.HTTPError:
            if not healthy:
                return server
            time.sleep(0.1)
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"order API did not answer within {START_TIMEOUT}s:\n{server.log()}")


@dataclass
class OrderPicker:
    """Hands each test seeded orders no other test has used (tests change them)."""

    data: Dataset
    seeded_at: datetime
    used: Set[str] = field(default_factory=set)
    readers: Dict[str, dict] = field(default_factory=dict)

    def pick(self, status: str, where: Callable[[dict], bool] = lambda order: True, count: int = 1) -> List[dict]:
        found = [o for o in self.data.orders if o["status"] == status and o["id"] not in self.used and where(o)]
        if len(found) < count:
            raise AssertionError(f"the seed has too few unused {status} orders for this test")
        self.used.update(o["id"] for o in found[:count])
        return found[:count]

    def one(self, status: str, where: Callable[[dict], bool] = lambda order: True) -> dict:
        return self.pick(status, where)[0]

    def shared(self, status: str) -> dict:
        """An order of that status for tests that only read it or are refused: no test changes it."""
        if status not in self.readers:
            self.readers[status] = self.one(status)
        return self.readers[status]

    def delivered_days_ago(self, order: dict) -> float:
        return (self.seeded_at - order["delivered_at"]).total_seconds() / 86400

    def customer(self, customer_id: str) -> dict:
        return next(c for c in self.data.customers if c["id"] == customer_id)

    def last4(self, order: dict) -> str:
        return "".join(ch for ch in self.customer(order["customer_id"])["phone"] if ch.isdigit())[-4:]


@pytest.fixture(scope="session")
def orders_server(tmp_path_factory):
    home = tmp_path_factory.mktemp("orders")
    # ORDERS_TEST_DATABASE_URL runs the HTTP tests on another database (PostgreSQL, for one).
    url = os.environ.get("ORDERS_TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{home / 'orders.sqlite3'}"
    env = orders_env(url)
    seeded_at = utcnow()
    seeded = run_cli(env, "seed")
    assert seeded.returncode == 0, seeded.stderr
    server = start_server(env, home / "server.log")
    server.seeded_at = seeded_at
    yield server
    server.stop()


@pytest.fixture(scope="session")
def picker(orders_server) -> OrderPicker:
    # Same seed, same clock to within the second it took: same ids, statuses and customers.
    return OrderPicker(build_dataset(orders_server.seeded_at), orders_server.seeded_at)


class Api:
    """HTTP calls to the server with a chosen token ("service", "admin", None or any string)."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url

    async def call(self, method: str, path: str, token: Optional[str] = "service", **kwargs):
        headers = kwargs.pop("headers", {})
        bearer = {"service": SERVICE_TOKEN, "admin": ADMIN_TOKEN}.get(token, token)
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        async with self.session.request(method, self.url + path, headers=headers, **kwargs) as response:
            body = await response.json(content_type=None)
            return response.status, body, response.headers

    async def get(self, path: str, token: Optional[str] = "service", **kwargs):
        return await self.call("GET", path, token, **kwargs)

    async def post(self, path: str, body=None, token: Optional[str] = "service", **kwargs):
        return await self.call("POST", path, token, json=body, **kwargs)

    async def patch(self, path: str, body=None, token: Optional[str] = "service", **kwargs):
        return await self.call("PATCH", path, token, json=body, **kwargs)

    async def new_order(self, status: str = "pending_payment", customer_id: str = "C005") -> dict:
        """A fresh order (admin POST /orders), for tests that change one and need no seeded history."""
        body = {"customer_id": customer_id, "status": status, "shipping_address": "成都市武侯区人民南路4段1号",
                "items": [{"sku": "AU-X100", "quantity": 1, "unit_price": "499.00"}]}
        code, order, _ = await self.post("/orders", body, token="admin")
        assert code == 201, order
        return order


@pytest.fixture
async def api_factory():
    """Api objects for any server URL, sharing one session that closes after the test."""
    async with aiohttp.ClientSession() as session:
        yield lambda url: Api(session, url)


@pytest.fixture
async def api(orders_server, api_factory):
    return api_factory(orders_server.url)

