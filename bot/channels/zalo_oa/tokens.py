"""The Zalo OA token keeper: tokens in the database, one refresher at a time, the newest refresh token never lost."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.channels.zalo_oa.client import OaAuthError, OaClient, OaTokens
from bot.db import oa_account
from bot.db.database import Database
from bot.db.models import OaAccount, stored_utc, utcnow
from bot.db.oa_account import NewTokens, OaAuthView
from handlers.statuses import OaAuthState

log = logging.getLogger(__name__)

# A refresh marked in the row for longer than this was cut short (its process died): another may try the stored
# refresh token again. The client waits at most 5 s to connect and 10 s between reads, and a refresh may be asked
# twice (see _ask): 60 s is well past any refresh still under way.
LEASE = dt.timedelta(seconds=60)
POLL = 0.25  # seconds between looks at the row while another process refreshes
RETRY = dt.timedelta(seconds=30)  # after an unanswered refresh, sends wait this long before the next try
# ASSUMPTION: a refresh token lives about three months ("~3 tháng": field-vn/zalo src/Core/Auth/TokenPair.php,
# hexasync.vn); Zalo's answer does not say, so the date shown to admins is an estimate.
REFRESH_LIFETIME = dt.timedelta(days=90)
# ASSUMPTION: when the answer has no expires_in, the shortest lifetime a source gives (1 h, beehexa.com).
DEFAULT_ACCESS_LIFETIME = dt.timedelta(hours=1)
WAITING = "chưa làm mới được mã truy cập, sẽ thử lại"
COMMAND = "python -m bot zalo-oa authorise <mã>"
REASONS = {
    -14014: "Zalo không nhận mã làm mới (refresh token): quyền của ứng dụng đã bị thu hồi, hoặc mã đã được dùng "
    "một lần rồi (có thể mất khi bot dừng đột ngột lúc đang làm mới).",
    -14020: "mã làm mới (refresh token) đã hết hạn (khoảng 3 tháng không được làm mới).",
}


def notice(state: OaAuthState, problem: str) -> str:
    """What admins read (staff chat alert, console banner, CLI): what happened and what to do; "" when connected."""
    if state is OaAuthState.CONNECTED:
        return ""
    head = "Zalo OA cần cấp quyền lại" if state is OaAuthState.NEEDS_REAUTH else "Zalo OA chưa được cấp quyền"
    what = f": {problem}" if problem else "."
    return (
        f"{head}{what} Tin nhắn qua Zalo OA đang tạm dừng, chưa gửi đi. Cách làm: quản trị viên OA mở trang cấp "
        f"quyền của Zalo cho ứng dụng, lấy mã cấp quyền mới rồi chạy {COMMAND} (xem README, mục Zalo OA)."
    )


class OaNotConnected(Exception):
    """No usable authorisation: sends wait. `state` says why (OaAuthState)."""

    def __init__(self, state: OaAuthState, problem: str = "") -> None:
        super().__init__(f"Zalo OA: {state.label}" + (f" ({problem})" if problem else ""))
        self.state, self.problem = state, problem


@dataclass(frozen=True)
class _Held:
    generation: int
    expires_at: dt.datetime


class TokenKeeper:
    """Gives the OaClient a valid access token; the only code that reads or writes the OA's tokens."""

    def __init__(
        self,
        db: Database,
        client: OaClient,
        *,
        alert: Callable[[str], Awaitable[None]],
        clock: Callable[[], dt.datetime] = utcnow,
        margin: dt.timedelta = dt.timedelta(minutes=5),
        lease: dt.timedelta = LEASE,
        retry: dt.timedelta = RETRY,
        checkpoint: Callable[[str], None] = lambda _where: None,  # the crash test stops the process here
    ) -> None:
        self._db, self._client, self._alert, self._clock = db, client, alert, clock
        self._margin, self._lease, self._retry, self._checkpoint = margin, lease, retry, checkpoint
        self._lock = asyncio.Lock()  # one refresh per process; the row lock makes it one across processes
        self._held: _Held | None = None  # the token the client holds
        self._refused = -1  # generation of a token Zalo refused: never adopted again
        self._retry_at: dt.datetime | None = None
        self._mark: dt.datetime | None = None  # our own refresh mark, left in the row after an unanswered call
        self._alerts: list[str] = []

    # -- the contract ---------------------------------------------------------------------------------
    async def start(self) -> None:
        """Log the state in one line; a refresh left marked in the row was cut short: try the stored token once."""
        async with self._db.session() as session:
            seen = await oa_account.auth_view(session)
        cut_short = seen.state is OaAuthState.CONNECTED and seen.refreshing_since is not None
        # A state that needs an admin gets its one warning line from the channel, in the admins' words.
        log.log(
            logging.WARNING if cut_short else logging.INFO,
            "zalo_oa: authorisation %s (generation %d), access token until %s, refresh token until %s%s",
            seen.state.value,
            seen.generation,
            _when(seen.access_expires_at),
            _when(seen.refresh_expires_at),
            f"; a refresh begun {_when(seen.refreshing_since)} was cut short: trying the stored refresh token once"
            if cut_short
            else "",
        )
        if cut_short:
            try:
                async with self._lock:
                    # Even with its access token still fresh: a dead refresh token is better found now, while
                    # an admin can act, than at the next expiry. A newer pair from another process is used as is.
                    await self._renew(stale=seen.generation)
            except OaNotConnected as exc:
                log.warning("zalo_oa: the OA stays unusable for now: %s", exc.state.value)
        await self._flush()

    async def ready(self) -> None:
        """The client holds an access token valid for at least `margin`; raises OaNotConnected otherwise."""
        if self._fresh():
            return
        try:
            async with self._lock:
                if not self._fresh():  # another task may have renewed it while this one waited
                    await self._renew()
        finally:
            await self._flush()

    async def rejected(self) -> None:
        """A send was refused with OaRefusal.TOKEN: the access token counts as expired."""
        async with self._lock:
            if self._held is not None:
                self._refused, self._held = self._held.generation, None

    async def authorise(self, code: str, code_verifier: str = "") -> None:
        """First (or renewed) authorisation: exchange the code from Zalo's consent page. Raises OaAuthError."""
        async with self._lock:
            tokens = await self._client.exchange(code, code_verifier)
            now = self._clock()
            new = _new_tokens(tokens, now)
            async with self._db.writing() as session:
                await oa_account.ensure(session)
                generation = await oa_account.store(session, new, now)
                await session.commit()
            assert generation is not None  # unconditional store
            self._use(tokens.access_token, generation, new.access_expires_at)
            self._retry_at = self._mark = None
        log.info("zalo_oa: authorised (generation %d), access token until %s", generation, _when(new.access_expires_at))

    async def status(self) -> tuple[OaAuthState, str]:
        """The state and the Vietnamese text admins read ("" when connected)."""
        seen = await self.view()
        return seen.state, notice(seen.state, seen.problem)

    async def view(self) -> OaAuthView:
        async with self._db.session() as session:
            return await oa_account.auth_view(session)

    # -- renewing -------------------------------------------------------------------------------------
    def _fresh(self) -> bool:
        return self._held is not None and self._held.expires_at - self._margin > self._clock()

    def _use(self, access_token: str, generation: int, expires_at: dt.datetime) -> None:
        self._client.use_token(access_token)
        self._held = _Held(generation, expires_at)

    async def _renew(self, stale: int = -1) -> None:
        """Under self._lock: adopt the stored token if it is good (and not of generation `stale`), else refresh it
        (one process at a time)."""
        async with self._db.session() as session:  # a plain read first: waiting and adopting need no lock
            if self._adopted(await oa_account.read(session), stale):
                return
        waited = 0.0
        while True:
            async with self._db.writing() as session:
                row = await oa_account.lock(session)
                if self._adopted(row, stale):
                    return
                assert row is not None  # _adopted raised otherwise
                now, since = self._clock(), stored_utc(row.refreshing_since)
                busy = since is not None and since != self._mark and now - since < self._lease
                if not (busy and waited < self._lease.total_seconds()):
                    if self._retry_at is not None and now < self._retry_at:
                        raise OaNotConnected(OaAuthState.CONNECTED, WAITING)
                    # The mark goes in first, with the old refresh token still stored: a crash from here on
                    # leaves the row saying a refresh was cut short, and the next start tries that token again.
                    spent = row.refresh_token
                    await oa_account.set_refreshing(session, spent, now)
                    busy = False
                await session.commit()
            if busy:
                # Another process is refreshing: wait for its result outside writing() (on SQLite that holds
                # this process's other writers too).
                await asyncio.sleep(POLL)
                waited += POLL
                continue
            self._checkpoint("before_http")
            if await self._refresh(spent, since):
                return

    def _adopted(self, row: OaAccount | None, stale: int = -1) -> bool:
        """Raises OaNotConnected without a usable authorisation; True when the row's access token is fresh (this
        process's or another's) and the client now holds it."""
        if row is None or row.state != OaAuthState.CONNECTED:
            state = OaAuthState(row.state) if row is not None else OaAuthState.NOT_AUTHORISED
            raise OaNotConnected(state, row.problem if row is not None else "")
        expires = stored_utc(row.access_expires_at)
        if row.generation in (self._refused, stale) or expires is None or expires - self._margin <= self._clock():
            return False
        self._use(row.access_token, row.generation, expires)
        return True

    async def _refresh(self, spent: str, since: dt.datetime | None) -> bool:
        """One refresh of `spent`, marked in the row; True when the client holds its result, False when the row
        holds another pair by now (look again)."""
        tokens, error, maybe_spent = await self._ask(spent)
        now = self._clock()
        if tokens is None:
            assert error is not None
            if error.grant_dead:
                problem = REASONS.get(error.code, f"Zalo từ chối mã làm mới (mã lỗi {error.code}).")
                async with self._db.writing() as session:
                    lost = await oa_account.lose(session, spent, problem, now)
                    await session.commit()
                log.warning("zalo_oa: Zalo refused the refresh token (%s): the OA needs a new authorisation", error)
                if lost:  # this process made the change: it alerts, once
                    self._alerts.append(notice(OaAuthState.NEEDS_REAUTH, problem))
                raise OaNotConnected(OaAuthState.NEEDS_REAUTH, problem)
            # No answer. If the token may have been spent, the mark stays (the next try is a recovery);
            # otherwise the row goes back to what it said before this try.
            self._mark = now if maybe_spent else None
            async with self._db.writing() as session:
                await oa_account.set_refreshing(session, spent, self._mark if maybe_spent else since)
                await session.commit()
            self._retry_at = now + self._retry
            log.warning("zalo_oa: refreshing the access token failed (%s); sends wait and it is tried again", error)
            raise OaNotConnected(OaAuthState.CONNECTED, WAITING)
        self._checkpoint("after_http_before_commit")
        new = _new_tokens(tokens, now)
        async with self._db.writing() as session:
            generation = await oa_account.store(session, new, now, spent=spent)
            await session.commit()
        if generation is None:
            log.warning("zalo_oa: the stored refresh token changed while this refresh ran; using the stored one")
            return False
        self._checkpoint("after_commit_before_use")
        self._use(tokens.access_token, generation, new.access_expires_at)
        self._retry_at = self._mark = None
        log.info("zalo_oa: access token refreshed (generation %d, until %s)", generation, _when(new.access_expires_at))
        return True

    async def _ask(self, spent: str) -> tuple[OaTokens | None, OaAuthError | None, bool]:
        """(tokens, None, _) or (None, the error, whether the token may have been spent). An unanswered call that
        may have reached Zalo is asked once more at once: Zalo's answer then says whether the token still works
        (a new pair) or is spent (a dead grant); guessing either way could lose a good token or alert for nothing."""
        try:
            return await self._client.refresh(spent), None, False
        except OaAuthError as first:
            if first.grant_dead or not first.maybe_used:
                return None, first, False
            log.warning("zalo_oa: no answer to a refresh that may have reached Zalo (%s); asking once more", first)
        try:
            return await self._client.refresh(spent), None, True
        except OaAuthError as second:
            return None, second, True

    async def _flush(self) -> None:
        """Alerts go out after the lock is released: an alert sent through the OA itself must not wait on it."""
        alerts, self._alerts = self._alerts, []
        for text in alerts:
            try:
                await self._alert(text)
            except Exception as exc:  # an alert that fails must not break sending; the banner still shows it
                log.warning("zalo_oa: the admins' alert could not be sent: %s", type(exc).__name__)


def _new_tokens(tokens: OaTokens, now: dt.datetime) -> NewTokens:
    lifetime = dt.timedelta(seconds=tokens.expires_in) if tokens.expires_in > 0 else DEFAULT_ACCESS_LIFETIME
    return NewTokens(tokens.access_token, now + lifetime, tokens.refresh_token, now + REFRESH_LIFETIME)


def _when(moment: dt.datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else "-"
