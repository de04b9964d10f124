"""Rendering a ``SimulationReport`` as JSON (API, ``--json``) and as text (``handoff simulate``)."""

from __future__ import annotations

from typing import Any

from routing.simulate import SimulationReport

OUTCOMES = ("route", "hold", "reject")


def report_json(report: SimulationReport) -> dict[str, Any]:
    loads = sorted(set(report.load_before) | set(report.load_after))
    return {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "handoffs": report.handoffs,
        "replayed": report.replayed,
        "outcomes": {
            outcome: {"before": report.before[outcome], "after": report.after[outcome]}
            for outcome in OUTCOMES
        },
        "transitions": [
            {"before": before, "after": after, "count": count}
            for (before, after), count in report.transitions.most_common()
        ],
        "segment_changes": [
            {"before": before, "after": after, "count": count}
            for (before, after), count in report.segment_changes.most_common()
        ],
        "target_changes": [
            {"before": before, "after": after, "count": count}
            for (before, after), count in report.target_changes.most_common()
        ],
        "load": [
            {
                "owner": key,
                "before": report.load_before[key],
                "after": report.load_after[key],
                "delta": report.load_after[key] - report.load_before[key],
            }
            for key in sorted(loads, key=lambda k: (-abs(report.load_after[k] - report.load_before[k]), k))
        ],
        "changed": report.changed,
        "changes": [
            {
                "handoff_id": c.handoff_id,
                "marketo_id": c.marketo_id,
                "email": c.email,
                "before": {
                    "outcome": c.before_outcome,
                    "segment": c.before_segment,
                    "target": c.before_target,
                },
                "after": {"outcome": c.after_outcome, "segment": c.after_segment, "target": c.after_target},
                "reason_code": c.reason_code,
                "reason": c.reason,
            }
            for c in report.changes
        ],
        "changes_listed": len(report.changes),
        "fidelity": {
            "compared": report.baseline_compared,
            "reproduced": report.baseline_reproduced,
            "share": report.fidelity,
        },
        "incomplete_contexts": report.incomplete_contexts,
        "seconds": round(report.seconds, 3),
    }


def report_text(report: SimulationReport, max_changes: int = 50) -> str:
    lines = [
        f"Replayed {report.replayed} handoffs decided from {report.since:%Y-%m-%d %H:%M} to {report.until:%Y-%m-%d %H:%M} UTC"
        f" in {report.seconds:.2f} s (nothing was written).",
    ]
    if report.fidelity is not None:
        lines.append(
            f"The config in force reproduces {report.baseline_reproduced} of {report.baseline_compared} recorded "
            f"decisions ({report.fidelity:.1%})."
        )
    if report.incomplete_contexts:
        lines.append(f"{report.incomplete_contexts} snapshots were taken while Salesforce was unreachable.")
    lines += ["", f"{'outcome':<10}{'before':>10}{'after':>10}{'change':>10}"]
    for outcome in OUTCOMES:
        before, after = report.before[outcome], report.after[outcome]
        lines.append(f"{outcome:<10}{before:>10}{after:>10}{after - before:>+10}")
    if report.transitions:
        moved = [(pair, n) for pair, n in report.transitions.most_common() if pair[0] != pair[1]]
        if moved:
            lines += ["", "Outcome changes:"]
            lines += [f"  {before} → {after}: {count}" for (before, after), count in moved]
    for title, counter in (
        ("Segment changes", report.segment_changes),
        ("Target changes", report.target_changes),
    ):
        if counter:
            lines += ["", f"{title} (routed before and after):"]
            lines += [f"  {before} → {after}: {count}" for (before, after), count in counter.most_common(20)]
    keys = sorted(
        set(report.load_before) | set(report.load_after),
        key=lambda k: (-abs(report.load_after[k] - report.load_before[k]), k),
    )
    if keys:
        lines += ["", f"{'owner / queue / rule':<44}{'before':>8}{'after':>8}{'change':>8}"]
        for key in keys[:30]:
            before, after = report.load_before[key], report.load_after[key]
            lines.append(f"{key:<44}{before:>8}{after:>8}{after - before:>+8}")
    lines += ["", f"{report.changed} leads change outcome, segment or target."]
    for change in report.changes[:max_changes]:
        lines.append(
            f"  #{change.handoff_id} {change.email or '(no email)'}: {change.before_outcome}"
            f" {change.before_segment or '-'} {change.before_target or '-'} → {change.after_outcome}"
            f" {change.after_segment or '-'} {change.after_target or '-'} ({change.reason_code}: {change.reason})"
        )
    if report.changed > max_changes:
        lines.append(f"  … and {report.changed - max_changes} more (use --json for the full list).")
    return "\n".join(lines)
