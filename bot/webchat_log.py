"""The last messages sent to each widget session, numbered, so a widget that was away (a reload, a
dropped connection, a phone going to sleep) gets what it missed instead of losing it.

socket.io delivers only to sockets in the session's room at that moment, and an agent may answer
exactly while the customer's page reloads. Each message gets the session's next sequence number
(`seq`) in one atomic Redis step; the widget remembers the highest it has shown and asks for the
rest when it reconnects.
"""
import json
from typing import Any, Dict, List, Text

import redis.asyncio as aioredis

KEEP_MESSAGES = 200
KEEP_SECONDS = 24 * 3600

# KEYS: sequence counter, message list. ARGV: message JSON, how many to keep, time to live.
APPEND = """
local seq = redis.call('INCR', KEYS[1])
redis.call('RPUSH', KEYS[2], '{"seq":' .. seq .. ',"message":' .. ARGV[1] .. '}')
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return seq
"""


class SessionLog:
    def __init__(self, redis: aioredis.Redis, prefix: Text = "cs:webchat") -> None:
        self.redis = redis
        self.prefix = prefix
        self._append = redis.register_script(APPEND)

    def _keys(self, session_id: Text) -> List[Text]:
        return [f"{self.prefix}:seq:{session_id}", f"{self.prefix}:log:{session_id}"]

    async def append(self, session_id: Text, message: Dict[Text, Any]) -> Dict[Text, Any]:
        """The message with its sequence number, once stored."""
        seq = await self._append(keys=self._keys(session_id),
                                 args=[json.dumps(message, ensure_ascii=False), KEEP_MESSAGES, KEEP_SECONDS])
        return {**message, "seq": int(seq)}

    async def after(self, session_id: Text, seq: int) -> List[Dict[Text, Any]]:
        """The stored messages numbered above `seq`, oldest first."""
        stored = [json.loads(raw) for raw in await self.redis.lrange(self._keys(session_id)[1], 0, -1)]
        return [{**entry["message"], "seq": entry["seq"]} for entry in stored if entry["seq"] > seq]
