"""A customer talking to the real Rasa server over the REST channel, for end-to-end tests."""
import uuid
from typing import List, Optional

import aiohttp


class Customer:
    def __init__(self, rasa_url: str, sender_id: Optional[str] = None, metadata: Optional[dict] = None):
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender_id = sender_id or f"test-{uuid.uuid4().hex[:12]}"
        self.metadata = metadata
        self.transcript: List[str] = []

    async def say(self, text: str) -> str:
        """Sends one message; returns the bot's replies joined by newlines (buttons as [title])."""
        body = {"sender": self.sender_id, "message": text}
        if self.metadata:
            body["metadata"] = self.metadata
        async with aiohttp.ClientSession() as http:
            async with http.post(self.url, json=body, timeout=aiohttp.ClientTimeout(total=60)) as response:
                assert response.status == 200, await response.text()
                replies = await response.json()
        lines = []
        for reply in replies:
            lines.append(reply.get("text", ""))
            lines += [f"[{button['title']}]" for button in reply.get("buttons", [])]
        answer = "\n".join(lines)
        self.transcript += [f"> {text}", answer]
        return answer

    def __str__(self) -> str:
        return "\n".join(self.transcript)

    __repr__ = __str__  # pytest shows the whole conversation when an assertion fails
