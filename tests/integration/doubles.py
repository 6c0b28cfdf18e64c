"""Test doubles the integration tests share."""

from itertools import count

from cogs.walkouts.service import Posted

_messages = count(9001)


class Announcer:
    """Discord as the walkout lifecycle sees it: every post succeeds, with a new message id."""

    def __init__(self) -> None:
        self.n = 0  # posts made through this one

    async def post(self, walkout, channel_id):
        self.n += 1
        return Posted(channel_id=channel_id, message_id=next(_messages), url="u")

    async def retract(self, posted):
        pass

    async def created(self, walkout):
        return None

    async def changed(self, walkout):
        pass

    async def cancelled(self, walkout):
        pass

    async def counted(self, walkout):
        pass

    async def awaiting_approval(self, walkout):
        pass
