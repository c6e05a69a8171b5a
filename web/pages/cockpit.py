"""The cockpit: deployed processes with their figures, a version's heat map, and bulk actions.

`/cockpit` lists every deployed process with its versions, unended instances and open incidents;
`/cockpit/<key>` shows one version's diagram with the instances and incidents at each element
(`cockpit.js` draws them on the bpmn-js viewer; a table says the same without it) and that
version's unended instances, all or those at one element. Figures count what the viewer may see
(DESIGN §6a): everything for an administrator, the instances they take part in for anyone else.

Administrators select instances there and retry, suspend or terminate them together. Nothing
happens at once: a confirmation page says, per instance, what the action will do or why it will
be refused, and takes a termination's reason; confirming handles each instance on its own
(`engine.bulk`) and the results page says per instance what happened or why not.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for

from engine.runtime.bulk import MAX_SELECTED

from .blueprint import caller, engine, local_target, pager, pages, paging, require_admin

MAX_REASON = 2000
"""The longest termination reason kept (as the single terminate's)."""
VERBS = {"retry": "Retry the incidents of", "suspend": "Suspend", "terminate": "Terminate"}
"""How the confirmation and results pages name each action."""


@pages.get("/cockpit")
def cockpit() -> Any:
    """Every deployed process: versions, unended and suspended instances, open incidents."""
    user = caller()
    return render_template(
        "cockpit.html", definitions=engine().statistics.definitions(viewer=user), admin=user.admin
    )


@pages.get("/cockpit/<key>")
def cockpit_definition(key: str) -> Any:
    """One version's heat map and its unended instances (at one element, with `element`)."""
    user = caller()
    version = request.args.get("version", type=int)
    element = request.args.get("element", "").strip() or None
    the_engine = engine()
    figures = the_engine.statistics.elements(key, version, viewer=user)
    xml = the_engine.repository.xml(key, figures["version"], viewer=user)
    limit, offset = paging()
    running = the_engine.statistics.running(
        key, figures["version"], element, limit=limit, offset=offset, viewer=user
    )
    listed = the_engine.statistics.definitions(viewer=user, key=key)
    versions: list[dict[str, Any]] = listed[0]["versions"] if listed else []
    heat = {
        e["element_id"]: {"instances": e["instances"], "incidents": e["incidents"]}
        for e in figures["elements"]
    }
    return render_template(
        "cockpit_definition.html",
        figures=figures,
        versions=versions,
        xml=xml,
        heat=heat,
        element=element,
        running=running["items"],
        pager=pager(running["total"], limit, offset),
        admin=user.admin,
        max_selected=MAX_SELECTED,
    )


@pages.post("/cockpit/bulk")
def cockpit_bulk() -> Any:
    """The confirmation (administrators): what the action will do to each selected instance, or
    why it will be refused; nothing changes yet."""
    require_admin()
    action, ids, back = _selection()
    planned = engine().bulk.plan(action, ids)
    return render_template(
        "cockpit_confirm.html",
        action=action,
        verb=VERBS[action],
        planned=planned,
        allowed=[p for p in planned if p["allowed"]],
        back=back,
        max_reason=MAX_REASON,
    )


@pages.post("/cockpit/bulk/run")
def cockpit_run() -> Any:
    """Do the confirmed action to each instance on its own (administrators); what happened to each."""
    user = require_admin()
    action, ids, back = _selection()
    reason = None
    if action == "terminate":
        reason = request.form.get("reason", "").strip()[:MAX_REASON] or None
    outcomes = engine().bulk.run(action, ids, user=user.name, reason=reason)
    return render_template(
        "cockpit_done.html",
        action=action,
        verb=VERBS[action],
        outcomes=outcomes,
        done=sum(1 for o in outcomes if o["done"]),
        reason=reason,
        back=back,
    )


def _selection() -> tuple[str, list[str], str]:
    """The posted action, the selected instance ids and the page to go back to (the engine
    refuses an unknown action or an empty selection: a 400 page that keeps the input)."""
    back = local_target(request.form.get("back"), url_for("pages.cockpit"))
    return request.form.get("action", ""), request.form.getlist("instance"), back
