"""Child process of the OA token crash test: refresh the access token and die by SIGKILL at a named point.

`python tests/bot/channels/oa_token_crash.py DB_URL OAUTH_BASE KILL_POINT`, with OA_APP_ID and OA_SECRET_KEY in
the environment (the fake's). The fake Zalo OA runs in the test process; the row is seeded to need a refresh.
Exit code 3: the point was never reached (the test fails on it).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot.channels.zalo_oa.client import OaClient
from bot.channels.zalo_oa.tokens import TokenKeeper
from bot.db.database import Database


async def no_alert(_text: str) -> None:
    pass


async def refresh_and_die(db_url: str, oauth_base: str, kill_point: str) -> None:
    def checkpoint(where: str) -> None:
        if where == kill_point:  # no cleanup, no flush: what a power cut or the OOM killer leaves
            os.kill(os.getpid(), signal.SIGKILL)

    db = Database(db_url)
    client = OaClient(os.environ["OA_APP_ID"], os.environ["OA_SECRET_KEY"], api_base=oauth_base, oauth_base=oauth_base)
    async with client:
        keeper = TokenKeeper(db, client, alert=no_alert, checkpoint=checkpoint)
        await keeper.start()
        await keeper.ready()
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(refresh_and_die(*sys.argv[1:4]))
    sys.exit(3)
