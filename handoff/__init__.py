"""The handoff service: queue, routing and relay between customers and human agents (aiohttp + Redis)."""
