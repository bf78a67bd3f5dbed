"""The thread page's timeline SVG, read back as a person reads it: where each mark, year label and
deadline sits (positions parsed from the SVG), and what the legend says the rings mean."""
import xml.etree.ElementTree as ET

from compare.vocabulary import VOCAB
from compare.web.timeline import axis_svg, timeline_legend, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"


def row(date, region="上海市", kind="commitment", status=None, deadline=None, approx=False, flag=None, n=0,
        level="city"):
    return {"measure_id": f"m{date}{region}{n}", "sort_date": date, "date_approximate": int(approx), "region": region,
            "level": level, "kind": kind, "effective_status": status, "issuer": "某委", "text": f"推进平台建设{n}",
            "deadline": deadline, "flag": flag}


def parse(rows):
    return ET.fromstring(str(axis_svg(rows)))


def marks(tree):
    """(date, x, y) of every mention's mark."""
    return [(c.get("data-date"), float(c.get("cx")), float(c.get("cy"))) for c in tree.iter(SVG + "circle")
            if c.get("class") == "mark"]


def year_labels(tree):
    return {int(t.get("data-year")): float(t.get("x")) for t in tree.iter(SVG + "text") if t.get("class") == "year"}


def year_lines(tree):
    return {int(ln.get("data-year")): float(ln.get("x1")) for ln in tree.iter(SVG + "line") if ln.get("class") == "year"}


def test_marks_sit_at_their_full_date_even_when_many_share_a_day():
    # six mentions on 06-18 in one region used to be spread rightwards past a 07-30 mention
    rows = [row("2024-01-10", "宝山区", level="district")] + [row("2025-06-18", "上海市", n=i) for i in range(6)]
    rows += [row("2025-07-30", "徐汇区", level="district"), row("2025-07-30", "上海市", n=9),
             row("2026-03-01", "宝山区", level="district")]
    placed = marks(parse(rows))
    assert len(placed) == len(rows)
    by_date = sorted(placed)
    for (d1, x1, _), (d2, x2, _) in zip(by_date, by_date[1:]):
        assert x1 <= x2 and (d1 == d2) == (abs(x1 - x2) < 0.05), (d1, x1, d2, x2)
    same_day = [(x, y) for d, x, y in placed if d == "2025-06-18"]
    assert len({y for _, y in same_day}) == 6  # stacked, not pushed along the axis


def test_marks_of_one_day_are_stacked_without_overlap():
    rows = [row("2025-06-18", n=i) for i in range(4)] + [row("2025-06-20", n=9), row("2026-01-05", n=10)]
    placed = marks(parse(rows))
    for i, (_, xa, ya) in enumerate(placed):
        for _, xb, yb in placed[i + 1:]:
            assert (xa - xb) ** 2 + (ya - yb) ** 2 >= 16 ** 2  # two radii: the marks do not cover each other


def test_the_first_year_is_labelled_when_the_data_starts_mid_year():
    for first in ("2024-10-15", "2024-12-28"):
        tree = parse([row(first), row("2025-05-01", n=1), row("2026-03-01", n=2)])
        labels, lines = year_labels(tree), year_lines(tree)
        assert sorted(labels) == [2024, 2025, 2026]
        assert labels[2024] < lines[2025] < labels[2025] < lines[2026] < labels[2026]
        xs = sorted(labels.values())
        assert all(b - a >= 36 for a, b in zip(xs, xs[1:]))  # each label has room for its four digits
        first_x = marks(tree)[0][1]
        assert first_x < lines[2025]


def test_a_deadline_is_drawn_where_it_falls_on_the_axis():
    rows = [row("2024-03-01", kind="target", status="in_progress", deadline="2026"),
            row("2024-09-01", kind="target", n=1, deadline="2025-06"), row("2025-02-01", kind="progress", n=2)]
    tree = parse(rows)
    diamonds = {p.get("data-deadline"): p for p in tree.iter(SVG + "path") if p.get("class") == "deadline"}
    assert set(diamonds) == {"2026", "2025-06"}

    def centre(p):
        return float(p.get("d")[1:].split()[0])
    lines, placed = year_lines(tree), {d: (x, y) for d, x, y in marks(tree)}
    # 2026 is met by 2026-12-31: in the last stretch of 2026; 2025-06 by 2025-06-30: mid-2025
    assert lines[2026] < centre(diamonds["2026"]) and centre(diamonds["2026"]) > max(x for x, _ in placed.values())
    assert lines[2025] < centre(diamonds["2025-06"]) < lines[2026]
    half = lines[2025] + (lines[2026] - lines[2025]) * 181 / 365
    assert abs(centre(diamonds["2025-06"]) - half) < 3
    assert 2026 in year_labels(tree)
    # the diamond sits on the row of the promise it belongs to
    assert float(diamonds["2025-06"].get("d").split()[1].split("L")[0]) < placed["2024-09-01"][1]


def test_the_legend_names_every_ring_shown_and_flags_are_marked():
    rows = [row("2024-03-01", status="fulfilled"), row("2024-05-01", status="overdue", n=1, deadline="2024"),
            row("2024-06-01", kind="progress", n=2), row("2025-01-01", status="unfulfilled", n=3,
                                                         flag={"status": "unfulfilled", "reviewer": "r"}),
            row("2025", approx=True, n=4, status="no_evidence")]
    legend = str(timeline_legend(rows))
    statuses = {s.name: s for s in VOCAB.statuses}
    for name in ("fulfilled", "overdue", "unfulfilled", "no_evidence"):
        s = statuses[name]
        item = legend.split(f'data-status="{name}"')[1].split("</li>")[0]
        assert s.ring.lower() in item.lower() and s.label in item
    assert 'data-status="in_progress"' not in legend and 'data-status="disputed"' not in legend
    assert "flag" in legend and "approximate" in legend and "deadline" in legend and "no status" in legend
    tree = parse(rows)
    flag_rings = [c for c in tree.iter(SVG + "circle") if c.get("class") == "flag-ring"]
    assert len(flag_rings) == 1
    dashed = [c for c in tree.iter(SVG + "circle") if c.get("class") == "mark" and c.get("stroke-dasharray")]
    assert [c.get("data-date") for c in dashed] == ["2025"]


def test_text_in_the_svg_is_escaped_and_bad_dates_are_left_off():
    rows = [row("2024-03-01", region="<b>区</b>"), row("2025-13-45", n=1), row("2025-02-01", n=2)]
    rows[0]["text"] = "</title><script>alert(1)</script>"
    out = str(timeline_svg(rows))  # the axis and its legend, as the page shows them
    assert "<script>" not in out and "<b>" not in out and "compare-legend" in out
    assert [d for d, _, _ in marks(ET.fromstring(str(axis_svg(rows))))] == ["2024-03-01", "2025-02-01"]
    assert str(timeline_svg([row(None)])) == ""
