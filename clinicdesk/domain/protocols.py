"""Protocol templates (therapies, SOPs, courses) read from plain data and checked, every problem naming its field."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from clinicdesk.domain.errors import NotFound, ValidationError


class Phase(StrEnum):
    PURVAKARMA = "purvakarma"  # preparation: Pachana, Snehapana, Abhyanga and Swedana
    PRADHANAKARMA = "pradhanakarma"  # the main cleansing: Virechana or Vamana, Basti, Nasya, Raktamokshana
    PASCHATKARMA = "paschatkarma"  # recovery: Samsarjana karma, Rasayana
    KERALIYA = "keraliya"  # Kerala rejuvenation therapies outside the classic three phases


# A classic Panchakarma course keeps each phase inside these lengths (days, both ends included).
PHASE_DAYS = {Phase.PURVAKARMA: (3, 7), Phase.PRADHANAKARMA: (5, 21), Phase.PASCHATKARMA: (7, 14)}
CLASSIC_ORDER = (Phase.PURVAKARMA, Phase.PRADHANAKARMA, Phase.PASCHATKARMA)
COURSE_KINDS = ("panchakarma", "rejuvenation")
MEASURES = {"oil_ml": "ml", "temperature_c": "°C", "pulse_bpm": "beats/min", "bp_systolic": "mmHg",
            "bp_diastolic": "mmHg", "dose_ml": "ml", "dose_g": "g", "weight_kg": "kg"}
MAX_COURSE_DAYS = 60


@dataclass(frozen=True)
class Measure:
    quantity: str  # one of MEASURES
    low: Decimal | None
    high: Decimal | None

    @property
    def unit(self) -> str:
        return MEASURES[self.quantity]

    def in_range(self, value: Decimal) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True)
class Material:
    item: str  # stock item code, e.g. KSHEERABALA
    quantity: Decimal


@dataclass(frozen=True)
class SopStep:
    no: int
    text: str
    mandatory: bool = False
    safety_check: bool = False  # must be ticked; never skipped
    timer_seconds: int | None = None
    measure: Measure | None = None
    materials: tuple[Material, ...] = ()


@dataclass(frozen=True)
class Sop:
    key: str
    version: int
    effective_from: date
    effective_until: date | None
    therapy: str
    steps: tuple[SopStep, ...]


@dataclass(frozen=True)
class Therapy:
    key: str
    name: str
    service_code: str | None  # None: a home regimen (medicines, diet), not booked
    phase: Phase
    duration_minutes: int
    rest_days_after: int
    contraindications: tuple[str, ...]
    expected_outcomes: tuple[str, ...]
    sop: str | None


@dataclass(frozen=True)
class Link:
    """Each session of a pattern follows the latest session of `key` on or before its day."""

    key: str
    min_gap_days: int = 0
    max_gap_days: int | None = None
    min_gap_minutes: int = 0


@dataclass(frozen=True)
class SessionPattern:
    key: str
    therapy: str
    days: tuple[int, ...]
    after: Link | None = None


@dataclass(frozen=True)
class CoursePhase:
    phase: Phase
    first_day: int
    last_day: int
    sessions: tuple[SessionPattern, ...]
    regimen: tuple[str, ...] = ()  # therapies taken at home during the phase


@dataclass(frozen=True)
class Course:
    key: str
    version: int
    effective_from: date
    effective_until: date | None
    name: str
    kind: str
    description: str
    contraindications: tuple[str, ...]
    expected_outcomes: tuple[str, ...]
    rest_days: tuple[int, ...]
    max_days_late: int
    phases: tuple[CoursePhase, ...]

    @property
    def days(self) -> int:
        return max(phase.last_day for phase in self.phases) + 1


def effective(version_from: date, version_until: date | None, on: date) -> bool:
    return version_from <= on and (version_until is None or on <= version_until)


class _Reader:
    """Collects problems keyed by the field's path (courses[0].phases[1].days) instead of stopping at the first."""

    def __init__(self):
        self.problems: dict[str, str] = {}

    def fail(self, path: str, problem: str) -> None:
        self.problems.setdefault(path, problem)

    def obj(self, data, path: str) -> dict:
        if not isinstance(data, dict):
            self.fail(path, "must be an object")
            return {}
        return data

    def text(self, data: dict, name: str, path: str, *, required: bool = True, most: int = 300) -> str:
        value = data.get(name, "")
        if not isinstance(value, str) or (required and not value.strip()) or len(value) > most:
            self.fail(f"{path}.{name}", f"must be text of 1-{most} characters" if required else "must be text")
            return ""
        return value.strip()

    def integer(self, data: dict, name: str, path: str, low: int, high: int, default: int | None = None) -> int:
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"{path}.{name}", f"must be a whole number from {low} to {high}")
            return low
        return value

    def decimal(self, value, path: str) -> Decimal | None:
        if value is None:
            return None
        try:
            if isinstance(value, bool):
                raise TypeError
            return Decimal(str(value))
        except (InvalidOperation, TypeError):
            self.fail(path, "must be a number")
            return None

    def day(self, data: dict, name: str, path: str, *, required: bool = True) -> date | None:
        value = data.get(name)
        if value is None and not required:
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(f"{path}.{name}", "must be a date like 2026-01-01")
            return date.min

    def words(self, data: dict, name: str, path: str) -> tuple[str, ...]:
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(f"{path}.{name}", "must be a list of text")
            return ()
        return tuple(v.strip() for v in value)

    def items(self, data: dict, name: str, path: str) -> list:
        value = data.get(name, [])
        if not isinstance(value, list):
            self.fail(f"{path}.{name}", "must be a list")
            return []
        return value

    def done(self) -> None:
        if self.problems:
            raise ValidationError(self.problems, {path: path for path in self.problems})


def parse_therapies(data) -> dict[str, Therapy]:
    r = _Reader()
    found = {}
    for key, raw in r.obj(r.obj(data, "therapies_file").get("therapies", {}), "therapies").items():
        path = f"therapies.{key}"
        item = r.obj(raw, path)
        phase = item.get("phase")
        if phase not in {p.value for p in Phase}:
            r.fail(f"{path}.phase", "must be one of: " + ", ".join(p.value for p in Phase))
        service = item.get("service")
        if service is not None and (not isinstance(service, str) or not 1 <= len(service) <= 12):
            r.fail(f"{path}.service", "must be a service code of the catalogue (1-12 characters) or null")
        found[key] = Therapy(
            key=key, name=r.text(item, "name", path, most=120), service_code=service,
            phase=Phase(phase) if phase in {p.value for p in Phase} else Phase.PURVAKARMA,
            duration_minutes=r.integer(item, "duration_minutes", path, 0, 600, 0),
            rest_days_after=r.integer(item, "rest_days_after", path, 0, 14, 0),
            contraindications=r.words(item, "contraindications", path),
            expected_outcomes=r.words(item, "expected_outcomes", path), sop=item.get("sop"))
    r.done()
    return found


def _step(r: _Reader, raw, path: str, no: int) -> SopStep:
    item = r.obj(raw, path)
    measure = None
    if item.get("measure") is not None:
        m = r.obj(item["measure"], f"{path}.measure")
        if m.get("quantity") not in MEASURES:
            r.fail(f"{path}.measure.quantity", "must be one of: " + ", ".join(MEASURES))
        low, high = r.decimal(m.get("min"), f"{path}.measure.min"), r.decimal(m.get("max"), f"{path}.measure.max")
        if low is not None and high is not None and low > high:
            r.fail(f"{path}.measure.max", "must not be below the minimum")
        measure = Measure(str(m.get("quantity")), low, high)
    materials = []
    for i, raw_material in enumerate(r.items(item, "materials", path)):
        mpath = f"{path}.materials[{i}]"
        m = r.obj(raw_material, mpath)
        quantity = r.decimal(m.get("quantity"), f"{mpath}.quantity")
        if quantity is not None and quantity <= 0:
            r.fail(f"{mpath}.quantity", "must be more than zero")
        materials.append(Material(r.text(m, "item", mpath, most=24).upper(), quantity or Decimal(0)))
    timer = item.get("timer_seconds")
    if timer is not None:
        timer = r.integer(item, "timer_seconds", path, 1, 4 * 3600)
    safety = item.get("safety_check", False) is True
    return SopStep(no=no, text=r.text(item, "text", path, most=200), mandatory=safety or item.get("mandatory") is True,
                   safety_check=safety, timer_seconds=timer, measure=measure, materials=tuple(materials))


def parse_sops(data) -> list[Sop]:
    r = _Reader()
    sops = []
    for i, raw in enumerate(r.items(r.obj(data, "sops_file"), "sops", "sops_file")):
        path = f"sops[{i}]"
        item = r.obj(raw, path)
        steps = tuple(_step(r, s, f"{path}.steps[{n}]", n + 1) for n, s in enumerate(r.items(item, "steps", path)))
        if not steps:
            r.fail(f"{path}.steps", "must list at least one step")
        sops.append(Sop(key=r.text(item, "key", path, most=40), version=r.integer(item, "version", path, 1, 999),
                        effective_from=r.day(item, "effective_from", path),
                        effective_until=r.day(item, "effective_until", path, required=False),
                        therapy=r.text(item, "therapy", path, most=40), steps=steps))
    r.done()
    return sops


def _link(r: _Reader, raw, path: str) -> Link | None:
    if raw is None:
        return None
    item = r.obj(raw, path)
    most = item.get("max_gap_days")
    return Link(key=r.text(item, "key", path, most=40), min_gap_days=r.integer(item, "min_gap_days", path, 0, 30, 0),
                max_gap_days=None if most is None else r.integer(item, "max_gap_days", path, 0, 30),
                min_gap_minutes=r.integer(item, "min_gap_minutes", path, 0, 600, 0))


def parse_course(data, therapies: dict[str, Therapy]) -> Course:
    """One course template; checks its days, phases, therapies, links and rest days against each other."""
    r = _Reader()
    item = r.obj(data, "course")
    path = "course"
    kind = item.get("kind")
    if kind not in COURSE_KINDS:
        r.fail("course.kind", "must be one of: " + ", ".join(COURSE_KINDS))
    phases = []
    for i, raw in enumerate(r.items(item, "phases", path)):
        ppath = f"course.phases[{i}]"
        p = r.obj(raw, ppath)
        phase = p.get("phase")
        if phase not in {x.value for x in Phase}:
            r.fail(f"{ppath}.phase", "must be one of: " + ", ".join(x.value for x in Phase))
            phase = Phase.PURVAKARMA.value
        first, last = r.integer(p, "first_day", ppath, 0, MAX_COURSE_DAYS), r.integer(p, "last_day", ppath, 0,
                                                                                        MAX_COURSE_DAYS)
        if last < first:
            r.fail(f"{ppath}.last_day", "must not be before the first day")
        low, high = PHASE_DAYS.get(Phase(phase), (1, MAX_COURSE_DAYS))
        if kind == "panchakarma" and first <= last and not low <= last - first + 1 <= high:
            # checked with the other fields, so an editor shows it beside the session problems it causes
            r.fail(ppath, f"({phase}) lasts {last - first + 1} days; it must last {low}-{high} days")
        sessions = []
        for j, raw_session in enumerate(r.items(p, "sessions", ppath)):
            spath = f"{ppath}.sessions[{j}]"
            s = r.obj(raw_session, spath)
            therapy = s.get("therapy")
            if therapy not in therapies or therapies[therapy].service_code is None:
                r.fail(f"{spath}.therapy", f"names '{therapy}', which is not a booked therapy of the therapy list")
            days = s.get("days")
            if not isinstance(days, list) or not days or not all(
                    isinstance(d, int) and not isinstance(d, bool) and first <= d <= last for d in days) \
                    or len(set(days)) != len(days):
                r.fail(f"{spath}.days", f"must be different whole days inside the phase ({first}-{last})")
                days = []
            sessions.append(SessionPattern(key=r.text(s, "key", spath, most=20), therapy=str(therapy),
                                           days=tuple(sorted(days)), after=_link(r, s.get("after"), f"{spath}.after")))
        regimen = r.words(p, "regimen", ppath)
        for name in regimen:
            if name not in therapies:
                r.fail(f"{ppath}.regimen", f"names '{name}', which is not in the therapy list")
        phases.append(CoursePhase(Phase(phase), first, last, tuple(sessions), regimen))
    course = Course(
        key=r.text(item, "key", path, most=40), version=r.integer(item, "version", path, 1, 999),
        effective_from=r.day(item, "effective_from", path), effective_until=r.day(item, "effective_until", path,
                                                                                 required=False),
        name=r.text(item, "name", path, most=120), kind=str(kind), description=r.text(item, "description", path,
                                                                                        required=False, most=1000),
        contraindications=r.words(item, "contraindications", path),
        expected_outcomes=r.words(item, "expected_outcomes", path),
        rest_days=tuple(sorted(set(d for d in r.items(item, "rest_days", path) if isinstance(d, int)))),
        max_days_late=r.integer(item, "max_days_late", path, 0, 7, 1), phases=tuple(phases))
    if not phases:
        r.fail("course.phases", "must list at least one phase")
    if not r.problems:
        _check_course(r, course, therapies)
    r.done()
    return course


def _check_course(r: _Reader, course: Course, therapies: dict[str, Therapy]) -> None:
    """Rules that need the whole course: phase order and lengths, unique keys, links backwards, rest days kept."""
    previous_last = -1
    for i, phase in enumerate(course.phases):
        if phase.first_day <= previous_last:
            r.fail(f"course.phases[{i}].first_day", "must come after the previous phase ends")
        previous_last = phase.last_day
    if course.kind == "panchakarma" and tuple(p.phase for p in course.phases) != CLASSIC_ORDER:
        r.fail("course.phases", "must be purvakarma, pradhanakarma and paschatkarma, in that order")
    patterns = {}
    for i, phase in enumerate(course.phases):
        for j, pattern in enumerate(phase.sessions):
            spath = f"course.phases[{i}].sessions[{j}]"
            if pattern.key in patterns:
                r.fail(f"{spath}.key", f"'{pattern.key}' is used twice")
            link = pattern.after
            if link is not None and link.key != pattern.key:  # a pattern may follow itself (a series)
                earlier = patterns.get(link.key)
                if earlier is None:
                    r.fail(f"{spath}.after.key", f"must name a session pattern listed before '{pattern.key}'")
                elif not all(any(d <= day for d in earlier.days) for day in pattern.days):
                    r.fail(f"{spath}.after.key", f"'{link.key}' has no session on or before every day of "
                                                 f"'{pattern.key}'")
            patterns[pattern.key] = pattern
            for day in pattern.days:
                if day in course.rest_days:
                    r.fail(f"{spath}.days", f"day {day} is a rest day of the course")
    rest = rest_after_days(course, therapies)
    for i, phase in enumerate(course.phases):
        for j, pattern in enumerate(phase.sessions):
            clash = sorted(set(pattern.days) & rest)
            if clash:
                r.fail(f"course.phases[{i}].sessions[{j}].days",
                       f"day {clash[0]} must be a rest day after a therapy that needs rest")


def rest_after_days(course: Course, therapies: dict[str, Therapy]) -> set[int]:
    """Days a therapy's `rest_days_after` keeps free of every other booked session of the course."""
    rest = set()
    for phase in course.phases:
        for pattern in phase.sessions:
            for day in pattern.days:
                rest.update(range(day + 1, day + 1 + therapies[pattern.therapy].rest_days_after))
    return rest


@dataclass(frozen=True)
class Library:
    """Every therapy, SOP version and course version the clinic knows."""

    therapies: dict[str, Therapy]
    sops: tuple[Sop, ...]
    courses: tuple[Course, ...]

    def course(self, key: str, on: date) -> Course:
        """The version of a course in force on `on` (the latest one when versions overlap)."""
        found = [c for c in self.courses if c.key == key and effective(c.effective_from, c.effective_until, on)]
        if not found:
            raise NotFound(f"No version of the course '{key}' is in force on {on:%d %b %Y}.")
        return max(found, key=lambda c: c.version)

    def sop(self, key: str, on: date) -> Sop | None:
        found = [s for s in self.sops if s.key == key and effective(s.effective_from, s.effective_until, on)]
        return max(found, key=lambda s: s.version) if found else None

    def courses_in_force(self, on: date) -> list[Course]:
        keys = sorted({c.key for c in self.courses})
        return [self.course(key, on) for key in keys
                if any(effective(c.effective_from, c.effective_until, on) for c in self.courses if c.key == key)]


def build_library(therapies: dict[str, Therapy], sops: list[Sop], courses: list[Course]) -> Library:
    """Cross-checks: each therapy's SOP exists; versions of one course or SOP are unique."""
    problems = {}
    for therapy in therapies.values():
        if therapy.sop is not None and not any(s.key == therapy.sop for s in sops):
            problems[f"therapies.{therapy.key}.sop"] = f"names '{therapy.sop}', which is not in the SOP list"
    for kind, versions in (("sops", [(s.key, s.version) for s in sops]),
                           ("courses", [(c.key, c.version) for c in courses])):
        for key, version in versions:
            if versions.count((key, version)) > 1:
                problems[f"{kind}.{key}"] = f"version {version} appears twice"
    if problems:
        raise ValidationError(problems, {path: path for path in problems})
    return Library(therapies, tuple(sops), tuple(courses))


def step_to_dict(step: SopStep) -> dict:
    """A step as plain JSON values, for the snapshot a session keeps of its SOP."""
    measure = None if step.measure is None else {
        "quantity": step.measure.quantity, "min": None if step.measure.low is None else str(step.measure.low),
        "max": None if step.measure.high is None else str(step.measure.high)}
    return {"no": step.no, "text": step.text, "mandatory": step.mandatory, "safety_check": step.safety_check,
            "timer_seconds": step.timer_seconds, "measure": measure,
            "materials": [{"item": m.item, "quantity": str(m.quantity)} for m in step.materials]}


def step_from_dict(data: dict) -> SopStep:
    m = data.get("measure")
    measure = None if m is None else Measure(m["quantity"], None if m["min"] is None else Decimal(m["min"]),
                                             None if m["max"] is None else Decimal(m["max"]))
    return SopStep(no=data["no"], text=data["text"], mandatory=data["mandatory"], safety_check=data["safety_check"],
                   timer_seconds=data["timer_seconds"], measure=measure,
                   materials=tuple(Material(x["item"], Decimal(x["quantity"])) for x in data["materials"]))


# --- admin editing: one template (a therapy, an SOP or a course) saved as a new version --------------------------

TEMPLATE_KINDS = ("therapy", "sop", "course")
EDITABLE_THERAPY_FIELDS = ("name", "duration_minutes", "rest_days_after", "contraindications", "expected_outcomes")


def _relative(error: ValidationError, prefix: str) -> dict[str, str]:
    """Problems keyed by the field's path inside the template: `course.phases[0]` becomes `phases[0]`."""
    return {(path[len(prefix):] if path.startswith(prefix) else path) or "template": problem
            for path, problem in error.problems.items()}


def check_template(kind: str, key: str, body: dict, therapies: dict[str, Therapy], *, version: int,
                   effective_from: date) -> Therapy | Sop | Course:
    """An admin's edited template as one version; every problem is keyed by its field inside the template.

    A therapy keeps its phase, booked service and SOP (plans and the catalogue rely on them); only its name,
    duration, rest days, contraindications and expected outcomes change between versions.
    """
    problems: dict[str, str] = {}
    body = body if isinstance(body, dict) else {}
    found = None
    try:
        if kind == "therapy":
            shipped = therapies.get(key)
            if shipped is None:
                raise ValidationError({"template": f"names the therapy '{key}', which is not in the therapy list"})
            data = therapy_to_dict(shipped) | {name: body.get(name) for name in EDITABLE_THERAPY_FIELDS}
            found = parse_therapies({"therapies": {key: data}})[key]
            if found.service_code is not None and found.duration_minutes <= 0:
                problems["duration_minutes"] = "must be more than 0 minutes for a therapy that is booked"
        elif kind == "sop":
            data = body | {"key": key, "version": version, "effective_from": effective_from.isoformat(),
                           "effective_until": None}
            if body.get("therapy") not in therapies:
                problems["therapy"] = f"names '{body.get('therapy')}', which is not in the therapy list"
            found = parse_sops({"sops": [data]})[0]
        elif kind == "course":
            data = body | {"key": key, "version": version, "effective_from": effective_from.isoformat(),
                           "effective_until": None}
            found = parse_course(data, therapies)
        else:
            problems["kind"] = "must be one of: " + ", ".join(TEMPLATE_KINDS)
    except ValidationError as error:
        prefix = {"therapy": f"therapies.{key}.", "sop": "sops[0].", "course": "course."}[kind]
        problems = _relative(error, prefix) | problems
    if problems:
        raise ValidationError(problems, {path: _label(path) for path in problems})
    return found


_FIELD_NAMES = {"duration_minutes": "Duration (minutes)", "rest_days_after": "Rest days after",
                "max_days_late": "Days a session may slip", "effective_from": "Effective from"}


def _label(path: str) -> str:
    """A readable name for a field path: `phases[1].sessions[0].days` -> `Phase 2, session 1: days`."""
    if path in _FIELD_NAMES:
        return _FIELD_NAMES[path]
    words = []
    for part in path.split("."):
        name, _, index = part.partition("[")
        index = int(index.rstrip("]")) + 1 if index else None
        name = name.replace("_", " ")
        if index is None:
            words.append(name)
        else:
            words.append(f"{name.rstrip('s').capitalize() if not words else name.rstrip('s')} {index}")
    head = ", ".join(words[:-1])
    last = words[-1]
    text = f"{head}: {last}" if head and not last[-1].isdigit() else ", ".join(words)
    return text[0].upper() + text[1:]


def therapy_to_dict(therapy: Therapy) -> dict:
    return {"name": therapy.name, "service": therapy.service_code, "phase": therapy.phase.value,
            "duration_minutes": therapy.duration_minutes, "rest_days_after": therapy.rest_days_after,
            "contraindications": list(therapy.contraindications),
            "expected_outcomes": list(therapy.expected_outcomes), "sop": therapy.sop}


def _plain_number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def sop_to_dict(sop: Sop) -> dict:
    """The editable body of an SOP (its key, version and dates travel beside it)."""
    steps = []
    for step in sop.steps:
        item: dict = {"text": step.text, "mandatory": step.mandatory, "safety_check": step.safety_check}
        if step.timer_seconds is not None:
            item["timer_seconds"] = step.timer_seconds
        if step.measure is not None:
            item["measure"] = {"quantity": step.measure.quantity, "min": _plain_number(step.measure.low),
                               "max": _plain_number(step.measure.high)}
        if step.materials:
            item["materials"] = [{"item": m.item, "quantity": _plain_number(m.quantity)} for m in step.materials]
        steps.append(item)
    return {"therapy": sop.therapy, "steps": steps}


def course_to_dict(course: Course) -> dict:
    """The editable body of a course (its key, version and dates travel beside it)."""
    def link(after: Link | None) -> dict | None:
        return None if after is None else {"key": after.key, "min_gap_days": after.min_gap_days,
                                           "max_gap_days": after.max_gap_days,
                                           "min_gap_minutes": after.min_gap_minutes}

    return {"name": course.name, "kind": course.kind, "description": course.description,
            "contraindications": list(course.contraindications), "expected_outcomes": list(course.expected_outcomes),
            "rest_days": list(course.rest_days), "max_days_late": course.max_days_late,
            "phases": [{"phase": p.phase.value, "first_day": p.first_day, "last_day": p.last_day,
                        "regimen": list(p.regimen),
                        "sessions": [{"key": s.key, "therapy": s.therapy, "days": list(s.days),
                                      "after": link(s.after)} for s in p.sessions]} for p in course.phases]}


def with_versions(base: Library, therapies: dict[str, Therapy], sops: list[Sop], courses: list[Course]) -> Library:
    """The shipped library with admin versions on top: therapies replaced, SOP and course versions added."""
    return build_library(base.therapies | therapies, [*base.sops, *sops], [*base.courses, *courses])
