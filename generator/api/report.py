"""The markdown report of `api-diff`: breaking changes first, then the others."""

from __future__ import annotations

from generator.api.compare import Change

PREFIX = "altinn2."


def render_report(changes: list[Change], old_label: str, new_label: str) -> str:
    breaking = [change for change in changes if change.breaking]
    other = [change for change in changes if not change.breaking]
    lines = [f"## Public API of `altinn2`: {old_label} -> {new_label}", ""]
    if not changes:
        lines.append("No change to the public API.")
        return "\n".join(lines) + "\n"
    counts = {
        kind: sum(1 for change in changes if change.change == kind)
        for kind in ("added", "changed", "removed")
    }
    lines.append(
        f"{len(breaking)} breaking, {len(other)} not breaking "
        f"({counts['added']} added, {counts['changed']} changed, {counts['removed']} removed)."
    )
    for title, group in (("Breaking for an app", breaking), ("Not breaking", other)):
        if not group:
            continue
        lines += ["", f"### {title}", "", "| | what | kind | detail |", "|---|---|---|---|"]
        for change in group:
            detail = change.detail.replace("|", "\\|")
            path = change.path.removeprefix(PREFIX)
            lines.append(f"| {change.change} | `{path}` | {change.kind} | {detail} |")
    return "\n".join(lines) + "\n"
