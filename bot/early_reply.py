"""The REST channel's answer as soon as a turn's last message is in, not after its tracker is saved.

Rasa's REST webhook answers with the turn's messages once `handle_message` returns, so the customer
also waits for the tracker's save (a Redis round trip, and handing the new events to Kafka). On
socket.io the messages already go out as they are made. Here the turn runs as a task of its own
and the webhook answers when Rasa's prediction loop has ended, that is when the turn can send
nothing more (bot/rasa_patches.py marks that moment on this channel); the save follows.

What does not change: the conversation's lock is held until the save is done, so the customer's
next message still starts from the saved turn; the tracker store makes a read of a tracker being
saved wait for the save (bot/tracker_store.py), so a client that asks for the conversation right
after the answer sees the turn; and a failed save was already answered with the turn's messages
(Rasa's webhook logs the error and sends what was collected). It is now logged here.

Also fixed by this: a client that disconnected mid-turn cancelled the turn where it stood (Sanic
cancels the request's task), leaving the actions' effects without the conversation's record of
them. The turn is no longer the request's task, so it always runs to its end.
"""
import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

log = logging.getLogger(__name__)


class TurnCollector(CollectingOutputChannel):
    """Collects a turn's messages into a given list (the one the webhook answers with), and says
    when the turn has sent its last one."""

    def __init__(self, messages: List[Dict[str, Any]]) -> None:
        super().__init__()
        self.messages = messages
        self.replies_complete = asyncio.Event()
        # Set once the webhook no longer waits for the turn's end: a failure after that is
        # reported here, one before it reaches the webhook, which logs it.
        self.webhook_gone = False


def answer_when_replies_complete(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Callable[[UserMessage], Awaitable[Any]]:
    """Wraps the webhook's handler: returns when the turn's messages are complete or the turn ends,
    whichever comes first; the rest of the turn (the save) goes on without the request."""

    async def handle(message: UserMessage) -> Any:
        if type(message.output_channel) is not CollectingOutputChannel:  # `?stream=true`: as Rasa does
            return await on_new_message(message)
        channel = TurnCollector(message.output_channel.messages)
        message.output_channel = channel
        turn = asyncio.ensure_future(on_new_message(message))
        turn.add_done_callback(lambda done: _log_failure_nobody_waits_for(done, channel, message.sender_id))
        replies_complete = asyncio.ensure_future(channel.replies_complete.wait())
        try:
            await asyncio.wait({turn, replies_complete}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # the client went away; the turn goes on
            channel.webhook_gone = True
            raise
        finally:
            replies_complete.cancel()
        if turn.done():
            return turn.result()
        channel.webhook_gone = True
        return None

    return handle


def _log_failure_nobody_waits_for(turn: "asyncio.Future[Any]", channel: TurnCollector, sender_id: str) -> None:
    if turn.cancelled():
        return
    error = turn.exception()
    if error is not None and channel.webhook_gone:
        log.error("the turn of conversation %s failed after its answer was sent or its client left "
                  "(its tracker may not be saved)", sender_id, exc_info=error)
