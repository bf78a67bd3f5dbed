"""The meters' parts, the awaiting rule and the unfulfilled list's order (compare.scorecard), on rows
made here."""
from compare import scorecard


def doc(id, date, region, level="district"):
    return {"id": id, "sort_date": date, "region": region, "level": level, "is_current": True}


def c(mid, doc_id, status, flagged=None, deadline=None, as_of="2026-06-30", region="宝山区", level="district", n=0):
    return {"measure_id": mid, "document_id": doc_id, "effective_status": flagged or status, "computed_status": status,
            "flagged_status": flagged, "deadline": deadline, "as_of": as_of, "region": region, "level": level,
            "ordinal": n, "text": mid, "sort_date": "2024"}


def test_newest_documents_await_later_ones_of_their_own_or_a_nested_region():
    docs = [doc("plan", "2024", "宝山区"), doc("city", "2025-05-01", "上海市", "city"),
            doc("reply", "2026-05-22", "宝山区"), doc("other", "2026-06-01", "徐汇区")]
    # the city's reply comes after the plan; nothing of 宝山区 or 上海市 comes after the 2026 reply;
    # a later 徐汇区 document cannot report on 宝山区's promises, nor the 2026 reply on 徐汇区's
    assert scorecard.awaiting_documents(docs) == {"reply", "other"}
    assert scorecard.awaiting_documents(docs + [doc("city2", "2026-07-01", "上海市", "city")]) == {"city2"}
    undated = {"id": "u", "sort_date": None, "region": "宝山区", "level": "district"}
    assert "u" not in scorecard.awaiting_documents(docs + [undated])


def test_each_commitment_falls_in_one_part_of_the_meter():
    rows = [c("a", "reply", "no_evidence"), c("b", "reply", "no_evidence", flagged="unfulfilled"),
            c("c", "plan", "no_evidence"), c("d", "plan", "fulfilled", flagged="disputed"),
            c("e", "plan", "overdue"), c("f", "reply", "no_evidence", flagged="fulfilled")]
    m = scorecard.meter(rows, {"reply"})
    assert m["counts"] == {"fulfilled": 1, "in_progress": 0, "overdue": 1, "no_evidence": 1, "awaiting": 1,
                           "flagged": 2}
    assert m["total"] == 6 and round(sum(p["percent"] for p in m["parts"])) == 100
    assert scorecard.meter([], set())["total"] == 0


def test_unfulfilled_list_most_urgent_first_and_the_awaiting_apart():
    rows = [c("late1", "plan", "overdue", deadline="2025", n=5), c("late2", "plan", "overdue", deadline="2024", n=9),
            c("none", "plan", "no_evidence", n=1), c("flagged", "plan", "no_evidence", flagged="unfulfilled", n=7),
            c("fresh", "reply", "no_evidence", n=2), c("kept", "plan", "fulfilled", n=3),
            c("city", "cityplan", "no_evidence", region="上海市", level="city")]
    u = scorecard.unfulfilled(rows, {"reply"})
    assert [g["region"] for g in u.groups] == ["上海市", "宝山区"]
    plan = u.groups[1]["documents"][0]
    assert [i["measure_id"] for i in plan["items"]] == ["late2", "late1", "flagged", "none"]
    assert plan["items"][0]["days_overdue"] == (scorecard.dt.date(2026, 6, 30) - scorecard.dt.date(2024, 12, 31)).days
    assert [i["measure_id"] for g in u.awaiting for d in g["documents"] for i in d["items"]] == ["fresh"]
    assert u.counts == {"overdue": 2, "unfulfilled": 1, "no_evidence": 2, "awaiting": 1}
    assert scorecard.unfulfilled(rows, {"reply"}, region="上海市").counts["no_evidence"] == 1


def test_a_long_list_shows_each_regions_most_urgent_and_says_how_many_more():
    rows = [c(f"n{i}", "plan", "no_evidence", n=i) for i in range(30)] + [
        c("late", "other", "overdue", deadline="2025", n=99)]
    u = scorecard.unfulfilled(rows, set(), limit=5)
    group = u.groups[0]
    assert group["count"] == 31 and group["shown"] == 5
    shown = [i["measure_id"] for d in group["documents"] for i in d["items"]]
    assert shown == ["late", "n0", "n1", "n2", "n3"]
    assert u.counts["no_evidence"] == 30  # the counts are of all, not of those shown
