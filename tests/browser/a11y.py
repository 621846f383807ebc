"""One accessibility check for every page a browser test visits.

axe-core comes bundled in the pinned ``axe-playwright-python`` wheel, so the
check needs no network at test time. It runs the WCAG 2.0, 2.1 and 2.2
level A and AA rules and fails with a readable list of violations.
"""

from functools import cache

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def _axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (WCAG 2.2 A and AA rules)."""
    page.evaluate(_axe_script())
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = page.evaluate("options => axe.run(document, options)", options)
    return results["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{', '.join(t for t in v['tags'] if 'wcag' in t)}]")
        for node in v["nodes"][:5]:
            lines.append(
                f"    at {' '.join(map(str, node['target']))}: {node['failureSummary'].splitlines()[-1].strip()}"
            )
            lines.append(f"       {node['html'][:160]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fail unless axe-core finds zero WCAG 2.2 A/AA violations on the current page."""
    page.wait_for_load_state()
    violations = axe_violations(page)
    assert not violations, f"{len(violations)} accessibility violation(s) on {page.url}:\n{describe(violations)}"
