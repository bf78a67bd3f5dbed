"""The commitment timeline's inline SVG: one lane per region, one mark per mention, each at its
own date; a promise's deadline drawn where it falls; and the legend of what the marks mean."""
from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape

from .common import KIND_COLOURS, STATUS_LABELS, STATUS_RINGS

WIDTH, LEFT, RIGHT = 960, 96, 24       # the axis runs from LEFT to WIDTH - RIGHT
TOP, ROW_H, LANE_PAD = 30, 22, 14      # the year labels above TOP; rows of marks inside a lane
MARK_R, MIN_GAP = 8, 20                # marks closer than MIN_GAP px share no row: they stack
MIN_YEAR_PX = 40                       # a year's label needs this much axis to sit in
NO_STATUS_RING = "#ffffff"             # a mention without a status (a report of progress)
FLAG_RING_R = 12                       # a reviewer's flag: a second ring round the mark


def _date_value(s: str | None) -> float | None:
    """A date ('2025-06-18', '2025-06' or '2025') as a fractional year: its day of the year
    counted, so a mark's place follows its full date."""
    if not s:
        return None
    try:
        parts = [int(p) for p in s.split("-")[:3]]
        # a year alone (an undated plan placed at its period start) sits at the start of that year
        day = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None
    start = dt.date(day.year, 1, 1)
    return day.year + (day - start).days / (dt.date(day.year + 1, 1, 1) - start).days


def _deadline_value(deadline: str | None) -> float | None:
    """Where a deadline falls: the end of the year or month it names ('2026' → 2026-12-31)."""
    from compare.status import deadline_end

    try:
        end = deadline_end(deadline)
    except (ValueError, IndexError):
        return None
    return _date_value(end.isoformat()) if end else None


class Axis:
    """Fractional years → x, with room for every year's label: a year the data enters late or
    leaves early is widened to MIN_YEAR_PX so its label fits (the first year of data starting
    mid-year is labelled too)."""

    def __init__(self, values: list[float]):
        lo, hi = min(values), max(values)
        if hi - lo < 1:
            lo, hi = lo - 0.5, hi + 0.5
        span_px = WIDTH - LEFT - RIGHT
        for _ in range(3):  # widening one end narrows the other's share: settle in a few rounds
            first, last = int(lo) + 1, int(hi)
            if first - lo < (hi - lo) * MIN_YEAR_PX / span_px:
                lo = min(lo, (first * span_px - MIN_YEAR_PX * hi) / (span_px - MIN_YEAR_PX))
            if hi - last < (hi - lo) * MIN_YEAR_PX / span_px and hi > last:
                hi = max(hi, (last * span_px - MIN_YEAR_PX * lo) / (span_px - MIN_YEAR_PX))
        self.lo, self.hi = lo, hi

    def x(self, v: float) -> float:
        return LEFT + (v - self.lo) / (self.hi - self.lo) * (WIDTH - LEFT - RIGHT)

    def years(self) -> list[tuple[int, float, float]]:
        """Each year the axis shows: (year, x of its start or the axis start, x of its end)."""
        return [(y, self.x(max(self.lo, y)), self.x(min(self.hi, y + 1)))
                for y in range(int(self.lo), int(self.hi) + 1) if min(self.hi, y + 1) > max(self.lo, y)]


def _lanes(rows: list[dict]) -> dict[str, int]:
    """Regions top to bottom: the city first, then districts, then the rest, each by name."""
    lanes: dict[str, int] = {}
    for r in sorted(rows, key=lambda r: ({"city": 0, "district": 1}.get(r.get("level"), 2), r["region"] or "?")):
        lanes.setdefault(r["region"] or "?", len(lanes))
    return lanes


def _place(rows: list[dict], axis: Axis, lanes: dict[str, int]) -> list[tuple[int, float, int]]:
    """Each dated mention at its own date: (row index, x, row within its lane). Marks that would
    overlap take the next row down, so no mark is pushed off its date."""
    placed = []
    rows_end: dict[str, list[float]] = {lane: [] for lane in lanes}
    dated = sorted((v, i) for i, r in enumerate(rows) if (v := _date_value(r["sort_date"])) is not None)
    for v, i in dated:
        cx, ends = axis.x(v), rows_end[rows[i]["region"] or "?"]
        k = next((k for k, end in enumerate(ends) if cx - end >= MIN_GAP), len(ends))
        if k == len(ends):
            ends.append(cx)
        ends[k] = cx
        placed.append((i, cx, k))
    return placed


def _lane_tops(lanes: dict[str, int], placed: list[tuple[int, float, int]], rows: list[dict]) -> dict[str, float]:
    depth = {lane: 1 for lane in lanes}
    for i, _, k in placed:
        lane = rows[i]["region"] or "?"
        depth[lane] = max(depth[lane], k + 1)
    tops, y = {}, float(TOP)
    for lane in lanes:
        tops[lane] = y
        y += depth[lane] * ROW_H + LANE_PAD
    tops[""] = y  # the bottom of the last lane
    return tops


def _mark(r: dict, cx: float, cy: float) -> str:
    colour = KIND_COLOURS.get(r["kind"], "#777")
    status = r.get("effective_status")
    ring = STATUS_RINGS.get(status, NO_STATUS_RING)
    dash = ' stroke-dasharray="3,2"' if r.get("date_approximate") else ""
    flagged = r.get("flag")
    title = escape(f"{r['sort_date']}{' (approx.)' if r.get('date_approximate') else ''} {r['issuer'] or ''} "
                   f"[{r['kind']}{'/' + status if status else ''}{' flagged' if flagged else ''}]"
                   f"{' deadline ' + r['deadline'] if r.get('deadline') else ''} {r['text']}")
    halo = (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{FLAG_RING_R}" fill="none" stroke="{ring}" stroke-width="1.5" '
            f'class="flag-ring"/>' if flagged else "")
    return (f'<a href="#m-{escape(r["measure_id"])}">{halo}<circle class="mark" cx="{cx:.1f}" cy="{cy:.1f}" '
            f'r="{MARK_R}" fill="{colour}" stroke="{ring}" stroke-width="3"{dash} data-date="{escape(r["sort_date"])}">'
            f'<title>{title}</title></circle></a>')


def _deadline(r: dict, cx: float, cy: float, axis: Axis) -> str:
    """The deadline of a promise: a diamond on its row where the deadline falls, joined to it."""
    v = _deadline_value(r.get("deadline"))
    if v is None:
        return ""
    dx, s = axis.x(v), 6
    title = escape(f"deadline {r['deadline']}: {r['text']}")
    return (f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{dx:.1f}" y2="{cy:.1f}" stroke="#b33" stroke-width="1" '
            f'stroke-dasharray="2,3"/><path class="deadline" data-deadline="{escape(r["deadline"])}" '
            f'd="M{dx:.1f} {cy - s:.1f}L{dx + s:.1f} {cy:.1f}L{dx:.1f} {cy + s:.1f}L{dx - s:.1f} {cy:.1f}Z" '
            f'fill="#fff" stroke="#b33" stroke-width="2"><title>{title}</title></path>')


def timeline_svg(rows: list[dict]) -> Markup:
    """The thread page's timeline: the axis (axis_svg) and, under it, its legend."""
    figure = axis_svg(rows)
    return figure + timeline_legend(rows) if figure else figure


def axis_svg(rows: list[dict]) -> Markup:
    """An inline SVG time axis: one lane per region, one mark per mention at its own date,
    coloured by kind and ringed by status (a second ring: a reviewer's flag); mentions too close
    to sit side by side stack in rows; approximate dates are dashed; a promise's deadline is a
    diamond where it falls, joined to the promise."""
    values = [v for r in rows for v in (_date_value(r["sort_date"]), _deadline_value(r.get("deadline")))
              if v is not None]
    if not any(_date_value(r["sort_date"]) is not None for r in rows):
        return Markup("")
    axis, lanes = Axis(values), _lanes(rows)
    placed = _place(rows, axis, lanes)
    tops = _lane_tops(lanes, placed, rows)
    height = tops[""] + 6
    parts = [f'<svg class="compare-axis" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" role="img" '
             f'aria-label="timeline" xmlns="http://www.w3.org/2000/svg" style="min-width: 820px">']
    for year, x0, x1 in axis.years():
        if year >= axis.lo:  # a year's start on the axis (not the axis start inside a year)
            parts.append(f'<line class="year" data-year="{year}" x1="{x0:.1f}" y1="{TOP - 10}" x2="{x0:.1f}" '
                         f'y2="{height:.0f}" stroke="#ddd"/>')
        parts.append(f'<text class="year" data-year="{year}" x="{(x0 + x1) / 2:.1f}" y="{TOP - 14}" font-size="12" '
                     f'text-anchor="middle">{year}</text>')
    for lane in lanes:
        mid = tops[lane] + ROW_H / 2
        parts.append(f'<text class="lane" x="4" y="{mid + 4:.1f}" font-size="13">{escape(lane)}</text>'
                     f'<line x1="{LEFT}" y1="{mid:.1f}" x2="{WIDTH - RIGHT}" y2="{mid:.1f}" stroke="#eee"/>')
    marks = [(rows[i], cx, tops[rows[i]["region"] or "?"] + ROW_H * k + ROW_H / 2) for i, cx, k in placed]
    parts += [_deadline(r, cx, cy, axis) for r, cx, cy in marks]
    parts += [_mark(r, cx, cy) for r, cx, cy in marks]
    parts.append("</svg>")
    return Markup('<div class="compare-axis-wrap" style="overflow-x: auto">' + "".join(parts) + "</div>")


def timeline_legend(rows: list[dict]) -> Markup:
    """What the marks of this timeline mean: fill = kind, ring = status (as the table's labels),
    a second ring = a reviewer's flag, dashed = approximate date, diamond = deadline."""
    def dot(fill: str, ring: str, extra: str = "", dash: bool = False) -> str:
        dashed = ' stroke-dasharray="3,2"' if dash else ""
        return (f'<svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" '
                f'style="vertical-align: middle">{extra}<circle cx="12" cy="12" '
                f'r="{MARK_R}" fill="{fill}" stroke="{ring}" stroke-width="3"{dashed}/></svg>')

    kinds = [k for k in KIND_COLOURS if any(r["kind"] == k for r in rows)]
    statuses = [s for s in STATUS_LABELS if any(r.get("effective_status") == s for r in rows)]
    items = [f'<li>{dot(KIND_COLOURS[k], NO_STATUS_RING)} {escape(k)}</li>' for k in kinds]
    items += [f'<li class="ring" data-status="{escape(s)}">{dot("#fff", STATUS_RINGS[s])} ring: '
              f'{escape(STATUS_LABELS[s])}</li>' for s in statuses]
    if any(r.get("effective_status") is None for r in rows):
        items.append(f'<li>{dot("#ccc", NO_STATUS_RING)} no ring: no status (a report, not a promise)</li>')
    if any(r.get("flag") for r in rows):
        items.append('<li>' + dot("#fff", "#555", '<circle cx="12" cy="12" r="11" fill="none" stroke="#555" '
                                  'stroke-width="1.5"/>') + " double ring: a reviewer's flag sets the status</li>")
    if any(r.get("date_approximate") for r in rows):
        items.append(f'<li>{dot("#fff", "#555", dash=True)} dashed ring: approximate date (an undated document, '
                     'placed at its period start)</li>')
    if any(_deadline_value(r.get("deadline")) is not None for r in rows):
        items.append('<li><svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" '
                     'style="vertical-align: middle"><path d="M12 6L18 12L12 '
                     '18L6 12Z" fill="#fff" stroke="#b33" stroke-width="2"/></svg> deadline</li>')
    return Markup('<ul class="compare-legend" style="list-style: none; padding: 0; display: flex; flex-wrap: wrap; '
                  'gap: .2em 1.2em; margin: .4em 0">' + "".join(items) + "</ul>")
