"""The `service` fixture: a local stand-in for the handoff service that answers what a test tells it,
for the action server's reactions to every answer (errors, slowness); the real service is tested
end to end in tests/handoff/."""
import pytest

from tests.unit.fake_handoff_service import TOKEN, FakeHandoffService


@pytest.fixture
async def service(monkeypatch):
    async with FakeHandoffService() as fake:
        monkeypatch.setenv("HANDOFF_URL", fake.url)
        monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", TOKEN)
        yield fake
