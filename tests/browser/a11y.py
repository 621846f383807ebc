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


def focused(page) -> dict:
    """What has keyboard focus: its accessible-ish name, tag, id, and whether a focus ring is drawn."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
          const style = getComputedStyle(el);
          return {
            name: (label || el.getAttribute("aria-label") || el.innerText || el.value || "").trim(),
            tag: el.tagName.toLowerCase(), id: el.id, type: el.type || "",
            ring: style.outlineStyle !== "none" || style.boxShadow !== "none",
          };
        }"""
    )


def tab_to(page, name: str, *, exact: bool = False, limit: int = 40) -> dict:
    """Press Tab until the focused element's name matches; check focus is visible (WCAG 2.4.7)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if (now["name"] == name) if exact else now["name"].startswith(name):
            assert now["ring"], f"no visible focus indicator on {now}"
            return now
        seen.append(now["name"][:30])
    raise AssertionError(f"Tab never reached {name!r}; focus went through {seen}")


def layout_problems(page) -> list[str]:
    """Horizontal overflow (WCAG 1.4.10 reflow) and controls smaller than 24 x 24 CSS px (2.5.8)."""
    return page.evaluate(
        """() => {
          const problems = [];
          const root = document.scrollingElement;
          if (root.scrollWidth > window.innerWidth) {
            problems.push(`page scrolls sideways: ${root.scrollWidth}px wide in a ${window.innerWidth}px window`);
          }
          const controls = document.querySelectorAll(
            "main button, main input:not([type=hidden]), main select, main textarea, main .btn, nav a");
          for (const el of controls) {
            const box = el.getBoundingClientRect();
            const hidden = box.width === 0 || el.closest(".hp-field, [hidden]");
            if (!hidden && (box.width < 24 || box.height < 24)) {
              problems.push(`${el.outerHTML.slice(0, 80)} is ${box.width.toFixed(0)}x${box.height.toFixed(0)}px`);
            }
          }
          return problems;
        }"""
    )


def settled(page) -> None:
    """Wait until the respondent pages' script has shown the next step (it marks the body busy meanwhile)."""
    page.wait_for_function("() => !document.body || !document.body.hasAttribute('aria-busy')")


def go(page, button: str, check: bool = True) -> None:
    """Press a button by its name, wait for the next page and check it."""
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    settled(page)
    if check:  # axe-core is a script: not with JavaScript off (the same pages are checked with it on)
        assert_accessible(page)
