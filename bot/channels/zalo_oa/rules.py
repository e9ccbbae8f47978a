"""Zalo OA sending rules in one place: which kind a message goes as, and whether it may be sent now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

# Sources, read 2026-11-30; docs/zalo-oa-rules.md has every rule with its number, source and address.
#   [ERR]  developers.zalo.me/docs/official-account/phu-luc/ma-loi (Zalo's error table), as quoted by
#          github.com/field-vn/zalo src/Core/Errors/ErrorCatalog.php (the page itself is not in our corpus)
#   [SUM]  a Vietnamese digest of developers.zalo.me "Gửi tin nhắn OA" (public GitHub file, repository not named by
#          the search tool): kinds, windows, 2,000 characters, promotion caps and hours, quota endpoint, ZBS switch
#   [HELP] Zalo OA help centre, zalooa.freshdesk.com articles 64000261136 (kinds of OA messages) and
#          64000264665 (broadcast FAQ, marked by Zalo itself as "not updated")
#   [FVN]  github.com/field-vn/zalo README "Chi phí và giới hạn" (Laravel SDK, 2026)
#   [SDK]  npm @warriorteam/redai-zalo-sdk 1.32.17 service comments (unofficial, disagrees with the others)
#   [ZBS]  since98.vn "Zalo Business Reference" check_sending_rules (ZBS template tags, via glama.ai)


class MessageKind(StrEnum):
    """The three OA message kinds of Open API v3, each its own endpoint `/v3.0/oa/message/{path}` (issue 19, [SUM])."""

    CONSULTATION = "consultation"  # "tin tư vấn": answers a user who interacted recently
    TRANSACTION = "transaction"  # "tin giao dịch": a notice about something the user did (an order, a case)
    PROMOTION = "promotion"  # "tin truyền thông": to followers, capped per follower and by the OA's package
    # Since 01/01/2026 transaction and promotion messages are ZBS Template Messages (approved templates, billed per
    # message; the old UID services stop 01/03/2026: [SUM], [FVN]). Plain text through them is unverified.

    @property
    def path(self) -> str:
        return {"consultation": "cs", "transaction": "transaction", "promotion": "promotion"}[self.value]

    @property
    def label(self) -> str:
        return {"consultation": "tin tư vấn", "transaction": "tin giao dịch", "promotion": "tin truyền thông"}[
            self.value
        ]


class Purpose(StrEnum):
    """Why the bot sends: decides the kind, so no caller picks an endpoint by hand."""

    REPLY = "reply"  # the conversation answering the user
    CASE_STATUS = "case_status"  # a case the user filed changed status
    CAMPAIGN = "campaign"  # a campaign staff scheduled

    @property
    def label(self) -> str:
        return {"reply": "trả lời người dùng", "case_status": "thông báo tình trạng hồ sơ", "campaign": "chiến dịch"}[
            self.value
        ]


# [SUM]: consultation = replies and support; transaction = notices tied to the user's own transaction (a case is
# one); promotion = marketing and news to followers. Issue 19 assigns the purposes the same way.
_KIND_FOR = {
    Purpose.REPLY: MessageKind.CONSULTATION,
    Purpose.CASE_STATUS: MessageKind.TRANSACTION,
    Purpose.CAMPAIGN: MessageKind.PROMOTION,
}


def kind_for(purpose: Purpose) -> MessageKind:
    return _KIND_FOR[purpose]


class ConsultationRule(StrEnum):
    """Which published consultation rule `decide` applies."""

    # Current: sendable until 7 days after the user's last interaction ([ERR] -230 "not interacted in the last
    # 7 days", [SUM], [FVN]); free for the first 8 within 48 h, then drawn from the quota or paid.
    SEVEN_DAYS = "seven_days"
    # Older: 8 replies within 48 h of the user's message ([HELP] 64000261136, esms.vn, [SDK] says 48 h); nothing after.
    EIGHT_IN_48_HOURS = "eight_in_48_hours"


class Refusal(StrEnum):
    """Why the rules hold a message back; the values become delivery statuses, the labels are what staff read."""

    OUTSIDE_WINDOW = "outside_window"  # until the user writes again: never retried
    NOT_FOLLOWER = "not_follower"  # until the user follows again: never retried
    DAILY_CAP = "daily_cap"  # the follower had today's promotions: retried the next local day
    MONTHLY_CAP = "monthly_cap"  # the follower had this month's promotions: retried next month
    QUOTA_USED_UP = "quota_used_up"  # the OA's monthly quota or daily request limit: retried when it resets
    QUOTA_UNKNOWN = "quota_unknown"  # the quota endpoint did not answer: retried soon, never sent blind
    QUIET_HOURS = "quiet_hours"  # promotions are not sent at night: retried when sending hours open

    @property
    def label(self) -> str:
        return {
            "outside_window": "ngoài khung thời gian Zalo cho phép",
            "not_follower": "không còn theo dõi OA",
            "daily_cap": "đã nhận đủ tin trong ngày",
            "monthly_cap": "đã nhận đủ tin trong tháng",
            "quota_used_up": "đã hết hạn mức của OA",
            "quota_unknown": "chưa đọc được hạn mức của OA",
            "quiet_hours": "ngoài giờ Zalo cho phép gửi tin truyền thông",
        }[self.value]

    @property
    def retryable(self) -> bool:
        """Whether waiting can help; only the user can lift the other two."""
        return self not in (Refusal.OUTSIDE_WINDOW, Refusal.NOT_FOLLOWER)


def _aware(moment: dt.datetime | None, name: str) -> None:
    # A naive time is a bug that would silently shift every window by the server's offset.
    if moment is not None and moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True)
class Recipient:
    """One OA user as our database knows them; counts are in the rules' local days and months."""

    follows: bool
    last_interaction: dt.datetime | None = None  # the user's last message, follow, button press… (None: never)
    promotions_today: int = 0
    promotions_this_month: int = 0
    replies_since_interaction: int = 0  # consultation messages sent since `last_interaction`

    def __post_init__(self) -> None:
        _aware(self.last_interaction, "last_interaction")


@dataclass(frozen=True)
class Quota:
    """What `/v3.0/oa/quota/message` reported (a POST per [SUM], GET in issue 19): left this month, None if unknown."""

    consultation: int | None = None
    transaction: int | None = None
    promotion: int | None = None
    followers: int | None = None  # the OA's followers at the start of the local day, for the daily request limit
    promotion_requests_today: int = 0  # promotion sends this local day, counted by us

    def remaining(self, kind: MessageKind) -> int | None:
        left: int | None = getattr(self, kind.value)
        return left


@dataclass(frozen=True)
class Verdict:
    """Allowed, or refused with a status and, where waiting helps, when to try again."""

    kind: MessageKind
    status: Refusal | None = None
    retry_at: dt.datetime | None = None

    @property
    def allowed(self) -> bool:
        return self.status is None

    @property
    def label(self) -> str:
        return "" if self.status is None else self.status.label


@dataclass(frozen=True)
class OaRules:
    """Every number from Zalo's rules, each a setting with a default and its source (see the source list above)."""

    # Quotas reset at 00:00 and promotion hours are Vietnamese clock time ([HELP] 64000261136: "00:00 ngày 1 đầu
    # tháng"; [SUM]: daily limit "reset 00:00"). ASSUMPTION: Zalo means Vietnam time; no source names the zone.
    timezone: str = "Asia/Ho_Chi_Minh"
    # The default follows the current 7-day rule; EIGHT_IN_48_HOURS brings back the older one.
    consultation_rule: ConsultationRule = ConsultationRule.SEVEN_DAYS
    consultation_window: dt.timedelta = dt.timedelta(days=7)  # [ERR] -230, [SUM], [FVN]; [SDK] says 48 h
    # Free replies: 8 within 48 h of the user's message; the 9th, or one after 48 h, counts as a proactive message
    # ([HELP] 64000261136; [SUM]: since 2026 Zalo reports remain=8 and then stops reporting the count).
    free_reply_window: dt.timedelta = dt.timedelta(hours=48)
    free_reply_limit: int = 8
    # [SUM]: the user interacted with the OA within 1 year. [SDK] claims 24 h, contradicting every other source;
    # not adopted: it would hold back nearly every case notice while Zalo itself still accepts them.
    transaction_window: dt.timedelta = dt.timedelta(days=365)
    # One promotion per follower per day: [SUM], [SDK], [HELP] 64000264665, [ZBS] tag 3 all agree.
    promotion_daily_cap: int = 1
    # Per follower per month the descriptions disagree: 4 for a verified OA ([HELP] 64000264665, kieuvanduc.com),
    # 30 for ZBS promotion templates ([ZBS]). The safer 4; the quota endpoint's per-user
    # `promotion.monthly_remain` ([SUM]) is the authority once the client reads it.
    promotion_monthly_cap: int = 4
    # Sending hours disagree too: 06:00–21:59 ([SUM]; [ERR] -234 "not sendable 22h–6h"), 07:00–22:00 ([ZBS] tags
    # 2–3), 08:00–22:00 ([SDK]). The safer intersection: 08:00 to 22:00.
    promotion_opens: dt.time = dt.time(8, 0)
    promotion_closes: dt.time = dt.time(22, 0)
    # The OA's own daily limit on personal promotions ([SUM], the only source): 500 a day up to 10,000 followers,
    # 5% of the followers above; 5% of 10,000 is 500, so max(500, 5%) covers both.
    promotion_requests_per_day: int = 500
    promotion_requests_share: float = 0.05
    # Text: 2,000 characters (issue 19, [SUM], eSMS docs). Template kinds carry text in at most 2 paragraphs of
    # 1,000 (promotion) or 250 (transaction) characters ([SUM]).
    max_text_length: int = 2000
    template_paragraphs: int = 2
    promotion_paragraph_length: int = 1000
    transaction_paragraph_length: int = 250
    # Ours, not Zalo's: how soon an unreadable quota is asked again, and which kinds may go on as paid messages
    # once the free quota is used up (a budget decision for the department; none by default).
    quota_recheck: dt.timedelta = dt.timedelta(minutes=15)
    paid_overflow: frozenset[MessageKind] = frozenset()

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # an unknown zone fails at startup, not at the first campaign
        if not self.promotion_opens < self.promotion_closes:
            raise ValueError("promotion_opens must come before promotion_closes")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # -- limits --------------------------------------------------------------------------------------
    def text_limit(self, kind: MessageKind) -> int:
        """The most characters one message of `kind` carries."""
        if kind is MessageKind.CONSULTATION:
            return self.max_text_length
        per = self.promotion_paragraph_length if kind is MessageKind.PROMOTION else self.transaction_paragraph_length
        return min(self.max_text_length, per * self.template_paragraphs)

    def promotion_requests_limit(self, followers: int) -> int:
        return max(self.promotion_requests_per_day, int(followers * self.promotion_requests_share))

    # -- the decision ----------------------------------------------------------------------------------
    def decide(self, kind: MessageKind, recipient: Recipient, quota: Quota, now: dt.datetime) -> Verdict:
        """Whether a message of `kind` may go to `recipient` at `now` (timezone-aware)."""
        _aware(now, "now")
        if kind is MessageKind.PROMOTION:
            return self._promotion(recipient, quota, now)
        if kind is MessageKind.CONSULTATION:
            free = self._within(recipient.last_interaction, self.free_reply_window, now) and (
                recipient.replies_since_interaction < self.free_reply_limit
            )
            if self.consultation_rule is ConsultationRule.EIGHT_IN_48_HOURS:
                return Verdict(kind) if free else Verdict(kind, Refusal.OUTSIDE_WINDOW)
            if not self._within(recipient.last_interaction, self.consultation_window, now):
                return Verdict(kind, Refusal.OUTSIDE_WINDOW)
            if free:  # a free reply draws on no quota ([HELP] 64000261136)
                return Verdict(kind)
        elif not self._within(recipient.last_interaction, self.transaction_window, now):
            return Verdict(kind, Refusal.OUTSIDE_WINDOW)
        return self._quota(kind, quota, now) or Verdict(kind)

    def _promotion(self, recipient: Recipient, quota: Quota, now: dt.datetime) -> Verdict:
        kind = MessageKind.PROMOTION
        # Promotions reach followers only ([ERR] -213 "user has not followed the OA", [SUM], [HELP]).
        if not recipient.follows:
            return Verdict(kind, Refusal.NOT_FOLLOWER)
        # The longest wait first: a follower capped for the month gains nothing from tomorrow.
        if recipient.promotions_this_month >= self.promotion_monthly_cap:
            return Verdict(kind, Refusal.MONTHLY_CAP, self._open(kind, self._next_month(now)))
        if recipient.promotions_today >= self.promotion_daily_cap:  # [ERR] -218 when Zalo counts it itself
            return Verdict(kind, Refusal.DAILY_CAP, self._open(kind, self._next_day(now)))
        held = self._quota(kind, quota, now)
        if held is not None:
            return held
        if quota.followers is not None and quota.promotion_requests_today >= self.promotion_requests_limit(
            quota.followers
        ):
            return Verdict(kind, Refusal.QUOTA_USED_UP, self._open(kind, self._next_day(now)))
        if self._open(kind, now) != now:
            return Verdict(kind, Refusal.QUIET_HOURS, self._open(kind, now))
        return Verdict(kind)

    def _quota(self, kind: MessageKind, quota: Quota, now: dt.datetime) -> Verdict | None:
        """Held for the monthly quota ([ERR] -211 "exceeded the quota"), or None when it may go."""
        if kind in self.paid_overflow:
            return None
        left = quota.remaining(kind)
        if left is None:
            # Unknown is never "plenty": a campaign sent blind could spend the month's quota or money.
            return Verdict(kind, Refusal.QUOTA_UNKNOWN, self._open(kind, now + self.quota_recheck))
        if left <= 0:
            # The free quota is set again at 00:00 on the 1st ([HELP] 64000261136).
            return Verdict(kind, Refusal.QUOTA_USED_UP, self._open(kind, self._next_month(now)))
        return None

    # -- time ----------------------------------------------------------------------------------------
    @staticmethod
    def _within(last: dt.datetime | None, window: dt.timedelta, now: dt.datetime) -> bool:
        # At exactly the boundary the window is closed: "within 7 days" read the strict way.
        return last is not None and now - last < window

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.zone)

    def _next_day(self, now: dt.datetime) -> dt.datetime:
        return self._at(now.astimezone(self.zone).date() + dt.timedelta(days=1), dt.time(0))

    def _next_month(self, now: dt.datetime) -> dt.datetime:
        local = now.astimezone(self.zone).date()
        first = dt.date(local.year + 1, 1, 1) if local.month == 12 else dt.date(local.year, local.month + 1, 1)
        return self._at(first, dt.time(0))

    def _open(self, kind: MessageKind, moment: dt.datetime) -> dt.datetime:
        """`moment`, or for promotions the next time within sending hours."""
        if kind is not MessageKind.PROMOTION:
            return moment
        local = moment.astimezone(self.zone)
        if local.time() < self.promotion_opens:
            return self._at(local.date(), self.promotion_opens)
        if local.time() >= self.promotion_closes:
            return self._at(local.date() + dt.timedelta(days=1), self.promotion_opens)
        return moment
