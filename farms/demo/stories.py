"""The history of each demo farm: the arrows of its workflow, with dates, people and reasons.

A story is written backwards from the farm's current status so that every row of
FarmStatusChange follows Farm.TRANSITIONS, dates only go forward, and the periodic task
(registrations_expire_and_lapse) would find nothing to change in a freshly seeded registry.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_noop

from ..models import Farm

S = Farm.Status

RETURN_REASONS = [
    "周边环境表未注明距离的测量方法，请补充测距说明并附卫星图。",
    "平面布局图未标注隔离舍和病死畜无害化处理设施，请补充后重新提交。",
    "备案兽医执业证书已过有效期，请更新证书后重新提交。",
    "免疫程序未包含口蹄疫A型，请按县级动物疫病防控方案修改。",
    "申报存栏规模与圈舍面积不符，请核实设计存栏量。",
]
REJECT_REASONS = [
    "场址位于饮用水源二级保护区内，不符合供港饲养场选址要求。",
    "现场核查发现外购仔猪混养，不符合自繁自养要求。",
    "场区与屠宰场距离不足，且无法调整场址。",
]
SUSPEND_REASONS = [
    "日常监管发现生物安全措施落实不到位，暂停供港资格，整改复查合格后恢复。",
    "辖区内发生非洲猪瘟疫情，该场位于受威胁区内，暂停供港。",
    "连续两次日常监管发现免疫档案与实际存栏不符，暂停供港待核查。",
]
REINSTATE_REASONS = ["整改复查合格，恢复供港资格。", "疫区解除封锁，恢复供港。"]
REVOKE_REASONS = [
    "产地检疫抽样检出盐酸克伦特罗，撤销注册。",
    "暂停期间擅自调运活畜供港，撤销注册。",
    "企业申请注销该场注册（养殖场已关停）。",
]
WITHDRAW_REASONS = ["场址调整，重新选址后再申请。", "企业经营计划调整。", ""]
INSPECTION_PASS = [
    "现场核查：场区布局、隔离舍、消毒设施与申报一致，周边距离符合要求。",
    "现场核查：自繁自养，免疫档案完整，备案兽医在岗，符合注册条件。",
    "现场核查：生物安全措施到位，粪污处理设施运行正常，同意注册。",
]
INSPECTION_FAIL = [
    "现场核查：隔离舍尚未建成，病死畜无害化处理设施不完善。",
    "现场核查：场区未实行人车分流，消毒通道缺失。",
]
PAPER_ENTRY = "依据企业递交的纸质申请录入。"


@dataclass
class Story:
    """What a farm has been through; ``events`` are (action, from, to, actor, reason, at)."""

    status: str
    events: list = field(default_factory=list)
    inspections: list = field(default_factory=list)  # (date, conclusion, notes)
    registered_on: dt.date | None = None
    valid_until: dt.date | None = None
    last_consignment_on: dt.date | None = None
    submitted_at: dt.datetime | None = None
    assigned: bool = False


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Writer:
    """Write the story of one farm, given who acts for the enterprise and for the branch."""

    def __init__(self, rng: random.Random, today: dt.date, *, clerk, inspector):
        self.rng, self.today, self.clerk, self.inspector = rng, today, clerk, inspector
        self.story = Story(status=S.DRAFT)
        self.paper = clerk.role == "inspector"  # an enterprise without accounts: filed on paper

    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high))

    def move(self, action: str, to: str, day: dt.date, *, actor="clerk", reason: str = "") -> None:
        who = {"clerk": self.clerk, "inspector": self.inspector, "system": None}[actor]
        self.story.events.append((action, self.story.status, to, who, reason, _at(day, self.rng)))
        self.story.status = to
        if action == "submit":
            self.story.submitted_at = self.story.events[-1][5]
        if action == "assign":
            self.story.assigned = True

    def create(self, day: dt.date) -> None:
        who = self.clerk
        self.story.events.append(
            ("create", "", S.DRAFT, who, PAPER_ENTRY if self.paper else "", _at(day, self.rng))
        )

    def review(self, decided: dt.date, *, returned_first: bool = False) -> dt.date:
        """Create, submit and assign so that the review ends on ``decided``; return the assign date."""
        assigned = decided - self.days(8, 30)
        submitted = assigned - self.days(1, 6)
        if returned_first:
            resubmitted = submitted
            returned = resubmitted - self.days(10, 40)
            first_assign = returned - self.days(3, 15)
            submitted = first_assign - self.days(1, 6)
        self.create(submitted - self.days(2, 40))
        self.move("submit", S.SUBMITTED, submitted)
        if returned_first:
            self.move("assign", S.UNDER_REVIEW, first_assign, actor="inspector", reason=str(self.inspector))
            self.move(
                "return", S.RETURNED, returned, actor="inspector", reason=self.rng.choice(RETURN_REASONS)
            )
            self.move("submit", S.SUBMITTED, resubmitted)
        self.move("assign", S.UNDER_REVIEW, assigned, actor="inspector", reason=str(self.inspector))
        return assigned

    def register(self, on: dt.date) -> None:
        assigned = self.review(on, returned_first=self.rng.random() < 0.2)
        inspected = assigned + (on - assigned) * 2 // 3
        self.story.inspections.append((inspected, "pass", self.rng.choice(INSPECTION_PASS)))
        self.move("approve", S.REGISTERED, on, actor="inspector")
        self.story.registered_on, self.story.valid_until = on, _plus_years(on, 5)

    def write(self, status: str) -> Story:
        """Return the story of a farm that is now ``status``."""
        rng, ago = self.rng, lambda lo, hi: self.today - self.days(lo, hi)
        if status == S.REGISTERED:
            self.register(ago(400, 1700) if rng.random() < 0.85 else ago(30, 380))
            if rng.random() < 0.08 and self.story.registered_on < ago(300, 300):
                suspended = self.story.registered_on + self.days(90, 200)
                self.move(
                    "suspend", S.SUSPENDED, suspended, actor="inspector", reason=rng.choice(SUSPEND_REASONS)
                )
                self.move(
                    "reinstate",
                    S.REGISTERED,
                    suspended + self.days(20, 60),
                    actor="inspector",
                    reason=rng.choice(REINSTATE_REASONS),
                )
            self.story.last_consignment_on = ago(1, 45) if rng.random() < 0.85 else ago(46, 300)
        elif status == S.SUSPENDED:
            self.register(ago(420, 1700))
            suspended = ago(10, 150)
            self.story.last_consignment_on = suspended - self.days(3, 30)
            self.move(
                "suspend", S.SUSPENDED, suspended, actor="inspector", reason=rng.choice(SUSPEND_REASONS)
            )
        elif status == S.REVOKED:
            self.register(ago(1000, 1700))
            revoked = ago(400, 850)
            self.move(
                "suspend",
                S.SUSPENDED,
                revoked - self.days(20, 60),
                actor="inspector",
                reason=rng.choice(SUSPEND_REASONS),
            )
            self.story.last_consignment_on = revoked - self.days(70, 120)
            self.move("revoke", S.REVOKED, revoked, actor="inspector", reason=rng.choice(REVOKE_REASONS))
        elif status == S.LAPSED:
            self.register(ago(1150, 1650))
            last = self.story.registered_on + self.days(20, 300) if rng.random() < 0.7 else None
            self.story.last_consignment_on = last
            lapsed = _plus_years(last or self.story.registered_on, 2) + self.days(1, 20)
            self.move("lapse", S.LAPSED, lapsed, actor="system", reason="No consignment for 2 years")
        elif status == S.EXPIRED:
            self.register(_plus_years(ago(20, 250), -5))
            self.story.last_consignment_on = self.story.valid_until - self.days(5, 120)
            self.move(
                "expire",
                S.EXPIRED,
                self.story.valid_until + dt.timedelta(days=1),
                actor="system",
                reason=gettext_noop("Validity ended"),
            )
        else:
            self._application(status)
        return self.story

    def _application(self, status: str) -> None:
        rng, ago = self.rng, lambda lo, hi: self.today - self.days(lo, hi)
        if status == S.DRAFT:
            self.create(ago(1, 30))
        elif status == S.SUBMITTED:
            submitted = ago(1, 12)
            self.create(submitted - self.days(1, 30))
            self.move("submit", S.SUBMITTED, submitted)
        elif status == S.UNDER_REVIEW:
            assigned = self.review(ago(0, 10) + dt.timedelta(days=8))
            if rng.random() < 0.4:  # inspected already: the inspector may approve it now
                inspected = min(self.today, assigned + self.days(1, 6))
                self.story.inspections.append((inspected, "pass", rng.choice(INSPECTION_PASS)))
        elif status == S.RETURNED:
            returned = ago(3, 40)
            assigned = self.review(returned)
            if rng.random() < 0.5:
                self.story.inspections.append(
                    (assigned + self.days(1, 5), "fail", rng.choice(INSPECTION_FAIL))
                )
            self.move("return", S.RETURNED, returned, actor="inspector", reason=rng.choice(RETURN_REASONS))
        elif status == S.REJECTED:
            rejected = ago(60, 540)
            assigned = self.review(rejected)
            self.story.inspections.append((assigned + self.days(1, 5), "fail", rng.choice(INSPECTION_FAIL)))
            self.move("reject", S.REJECTED, rejected, actor="inspector", reason=rng.choice(REJECT_REASONS))
        elif status == S.WITHDRAWN:
            withdrawn = ago(30, 360)
            submitted = withdrawn - self.days(3, 20)
            self.create(submitted - self.days(2, 30))
            self.move("submit", S.SUBMITTED, submitted)
            self.move("withdraw", S.WITHDRAWN, withdrawn, reason=rng.choice(WITHDRAW_REASONS))
