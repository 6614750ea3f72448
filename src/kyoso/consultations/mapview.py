"""What the opinion-map page shows, from the stored map and the statements still published (public and preview).

A statement hidden after the map was computed is left out of every list here; the figures stay those computed.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .domain.scatter import MapPoint, MapText, render_opinion_map
from .models import Consultation, Statement
from .services import group_label


def map_context(consultation: Consultation) -> dict[str, Any]:
    data = consultation.map or {}
    if not data:
        return {"map": None}
    # the caller has checked that the reader may see the consultation; its published statements are shown
    statements = {s.pk: s for s in Statement.objects.filter(consultation=consultation).published()}

    def with_text(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**e, "text": statements[e["statement"]].text, "is_seed": statements[e["statement"]].is_seed,
                 "percent": round(100 * e["agree" if e["direction"] == "agree" else "disagree"] / e["seen"])
                 if e.get("seen") else 0}
                for e in entries if e["statement"] in statements]

    groups = [{"id": g["id"], "label": group_label(g["id"]), "size": g["size"],
               "representative": with_text(g["representative"])} for g in data.get("groups", [])]
    labels = tuple(ngettext("グループ%(label)s（%(size)d人）", "グループ%(label)s（%(size)d人）", g["size"])
                   % {"label": g["label"], "size": g["size"]} for g in groups)
    description = _("%(clustered)d人の参加者を、投票の似ている人ほど近くに置いた図です。%(groups)s。"
                    "各グループの意見は下の表にあります。") % {
        "clustered": data.get("clustered", 0), "groups": "、".join(labels)}
    svg = render_opinion_map(
        [MapPoint(float(x), float(y), int(g)) for x, y, g in data.get("points", [])],
        MapText(title=_("意見マップ：%(title)s") % {"title": consultation.title}, description=description,
                group_labels=labels),
        element_id=f"k-opinion-map-{consultation.pk}")
    gac = [{**e, "text": statements[e["statement"]].text, "percent": round(100 * e["value"])}
           for e in data.get("group_consensus", []) if e["statement"] in statements]
    return {
        "map": data, "groups": groups, "svg": svg,
        "consensus_agree": with_text(data.get("consensus", {}).get("agree", [])),
        "consensus_disagree": with_text(data.get("consensus", {}).get("disagree", [])),
        "group_consensus": gac,
    }
