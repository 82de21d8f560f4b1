"""Words for times on the home pages: "in 2 days, 3 hours", "Thu 26 Nov 2026", "10:30", in the page's language."""

from datetime import date, datetime

from clinicdesk.server.portal.course_view import Countdown
from clinicdesk.server.portal.rendering import translate


def _unit(language: str, unit: str, n: int) -> str:
    return translate(language, f"home.unit.{unit}.{'one' if n == 1 else 'many'}", n=n)


def span_text(language: str, span: Countdown) -> str:
    """The two largest non-zero units: days and hours, or hours and minutes, or minutes alone."""
    if span.days:
        parts = [_unit(language, "day", span.days)] + ([_unit(language, "hour", span.hours)] if span.hours else [])
    elif span.hours:
        parts = [_unit(language, "hour", span.hours)] + (
            [_unit(language, "minute", span.minutes)] if span.minutes else [])
    else:
        parts = [_unit(language, "minute", max(span.minutes, 1))]
    return translate(language, "home.span.sep").join(parts)


def countdown_text(language: str, span: Countdown) -> str:
    """ "in 2 days, 3 hours"; "starting now" once less than a minute is left."""
    if span.days == span.hours == span.minutes == 0:
        return translate(language, "home.next.now")
    return translate(language, "home.next.in", span=span_text(language, span))


def date_text(language: str, day: date) -> str:
    return translate(language, "home.date", weekday=translate(language, f"home.weekday.{day.weekday()}"),
                     day=day.day, month=translate(language, f"home.month.{day.month}"), year=day.year)


def time_text(local: datetime) -> str:
    """24-hour clock, the same in every language (no "am" to translate or misread)."""
    return local.strftime("%H:%M")
