"""The commitment timeline's inline SVG: one lane per region, one mark per mention."""
from __future__ import annotations

from markupsafe import Markup, escape

from .common import KIND_COLOURS, STATUS_RINGS


def _date_value(s: str | None) -> float | None:
    if not s:
        return None
    parts = [int(p) for p in s.split("-")]
    # a year alone (an undated plan placed at its period start) sits at the start of that year
    y, m, d = parts[0], (parts[1] if len(parts) > 1 else 1), (parts[2] if len(parts) > 2 else 1)
    return y + (m - 1) / 12 + (d - 1) / 365


def timeline_svg(rows: list[dict]) -> Markup:
    """An inline SVG time axis: one lane per region, one mark per mention, coloured by kind and
    ringed by status; marks of one date are spread side by side; approximate dates are dashed."""
    values = [_date_value(r["sort_date"]) for r in rows]
    known = [v for v in values if v is not None]
    if not known:
        return Markup("")
    lo, hi = min(known), max(known)
    if hi - lo < 1:
        lo, hi = lo - 0.5, hi + 0.5
    width, left, right, lane_h = 960, 90, 70, 40  # room on the right for marks spread past the last date
    lanes: dict[str, int] = {}
    for r in sorted(rows, key=lambda r: ({"city": 0, "district": 1}.get(r.get("level"), 2), r["region"] or "?")):
        lanes.setdefault(r["region"] or "?", len(lanes))
    height = 50 + lane_h * len(lanes)

    def x(v):
        return left + 12 + (v - lo) / (hi - lo) * (width - left - right - 24)

    parts = [(f'<svg class="compare-axis" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="timeline" xmlns="http://www.w3.org/2000/svg">')]
    for year in range(int(lo), int(hi) + 2):
        if lo <= year <= hi:
            parts.append(f'<line x1="{x(year):.1f}" y1="20" x2="{x(year):.1f}" y2="{height - 10}" stroke="#ddd"/>'
                         f'<text x="{x(year):.1f}" y="14" font-size="12" text-anchor="middle">{year}</text>')
    for region, lane in lanes.items():
        parts.append(f'<text x="4" y="{44 + lane_h * lane}" font-size="13">{escape(region)}</text>'
                     f'<line x1="{left}" y1="{40 + lane_h * lane}" x2="{width - right}" y2="{40 + lane_h * lane}" '
                     f'stroke="#eee"/>')
    placed: dict[str, float] = {}
    order = sorted((v, i) for i, v in enumerate(values) if v is not None)
    for v, i in order:
        r = rows[i]
        lane = r["region"] or "?"
        cx = min(max(x(v), placed.get(lane, -1e9) + 20), width - 10)  # spread marks that would overlap
        placed[lane] = cx
        cy = 40 + lane_h * lanes[lane]
        colour = KIND_COLOURS.get(r["kind"], "#777")
        status = r.get("effective_status")
        ring = STATUS_RINGS.get(status, "#fff")
        dash = ' stroke-dasharray="3,2"' if r.get("date_approximate") else ""
        title = escape(f"{r['sort_date']}{' (approx.)' if r.get('date_approximate') else ''} {r['issuer'] or ''} "
                       f"[{r['kind']}{'/' + status if status else ''}] {r['text']}")
        parts.append(f'<a href="#m-{escape(r["measure_id"])}"><circle cx="{cx:.1f}" cy="{cy}" r="8" fill="{colour}" '
                     f'stroke="{ring}" stroke-width="3"{dash}><title>{title}</title></circle></a>')
    parts.append("</svg>")
    return Markup("".join(parts))
