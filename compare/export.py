"""The export contract: one JSON object with documents, measures, threads, links, statuses."""
from __future__ import annotations

from sqlite_utils import Database

from db import queries


def export(db: Database, include_text: bool = False) -> dict:
    documents = queries.list_documents(db)
    quantities = queries.quantities_by_measure(db)
    measures = []
    for m in queries.list_measures(db):
        m["section"] = m["section"] or ""
        m["quantities"] = quantities.get(m["id"], [])
        m["offsets"] = {"start": m.pop("start"), "end": m.pop("end"),
                        "orig_start": m.pop("orig_start"), "orig_end": m.pop("orig_end")}
        m["target"] = {"deadline": m.pop("deadline"), "deadline_relative": m.pop("deadline_relative"),
                       "comparator": m.pop("comparator"), "value": m.pop("value"), "unit": m.pop("unit"),
                       "object": m.pop("object")}
        measures.append(m)
    threads = [{"id": t["id"], "label": t["label"], "measure_ids": t["measure_ids"], "size": t["size"],
                "documents": t["documents"], "regions": t["regions"], "levels": t["levels"],
                "first_date": t["first_date"], "last_date": t["last_date"],
                "dates_approximate": bool(t["dates_approximate"]), "method": t["method"]}
               for t in queries.list_threads(db)]
    links = [{"measure_id": r["measure_id"], "measure_id2": r["measure_id2"], "score": r["score"],
              "method": r["method"], "signals": r["signals"]} for r in queries.list_links(db)]
    statuses = [{"measure_id": s["measure_id"], "status": s["status"], "effective_status": s["effective_status"],
                 "flagged_status": s["flagged_status"], "evidence_measure_ids": s["evidence_measure_ids"],
                 "reason": s["reason"], "rule": s["rule"], "deadline": s["deadline"], "as_of": s["as_of"]}
                for s in queries.list_statuses(db)]
    return {"documents": documents, "measures": measures, "threads": threads, "links": links, "statuses": statuses}
