"""The month grid of the supervision calendar: weeks of days, each with its plans and visits."""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.params import EARLIEST, LATEST, month_param


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    plans: list = field(default_factory=list)
    visits: list = field(default_factory=list)  # visits made without a plan (a plan shows its own)

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5


def month_parse(text: str | None) -> dt.date:
    """Return the first day of the month named ``YYYY-MM`` (clamped to the years a plan may have),
    or of this month if it is not one."""
    return month_param(text, default=timezone.localdate().replace(day=1))


def month_shift(first: dt.date, months: int) -> dt.date:
    """Return the first day of the month ``months`` away, kept within the years a page can show."""
    index = first.year * 12 + first.month - 1 + months
    return min(max(dt.date(index // 12, index % 12 + 1, 1), EARLIEST.replace(day=1)), LATEST.replace(day=1))


def month_bounds(first: dt.date) -> tuple[dt.date, dt.date]:
    """Return the first and last day shown on the grid (whole weeks, Monday first)."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return weeks[0][0], weeks[-1][-1]


def month_grid(first: dt.date, plans, visits) -> list[list[Day]]:
    """Return the weeks of the month, each day carrying its plans and its unplanned visits."""
    today = timezone.localdate()
    by_plan, by_visit = defaultdict(list), defaultdict(list)
    for plan in plans:
        by_plan[plan.planned_on].append(plan)
    for visit in visits:
        if visit.plan_id is None:
            by_visit[visit.visited_on].append(visit)
    return [
        [
            Day(
                date=d,
                in_month=d.month == first.month,
                is_today=d == today,
                plans=by_plan[d],
                visits=by_visit[d],
            )
            for d in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]


def plan_state(plan, today: dt.date) -> str:
    """Return done, overdue (the date passed with no visit) or planned."""
    visit = getattr(plan, "visit", None)
    if visit is not None:
        return "done"
    return "overdue" if plan.planned_on < today else "planned"
