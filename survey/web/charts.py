"""Server-rendered SVG bar charts: readable without JavaScript, each bar
labelled with its value so colour is never the only signal.

Drawn by hand rather than by a charting library, so that what a reader
needs is guaranteed: every label whole (wrapped, never cut), the axis
labels inside the picture, value labels beside their bar and never over a
neighbour, and the bars in the order of the table beside the chart.
"""

import textwrap
from xml.sax.saxutils import escape, quoteattr

from survey.figures.stats import number

WIDTH = 480  # about the width it is shown at (half a page, or a phone), so text keeps its size
PAD = 12
FONT = 14
LINE = 18
BAR = 22
GAP = 14
AXIS_LABEL_ROOM = 26
# Room right of the plot for a value label after a full bar ("100.0%").
VALUE_ROOM = 64
PLOT_LEFT, PLOT_RIGHT = PAD, WIDTH - PAD - VALUE_ROOM
TICKS = (0, 25, 50, 75, 100)
CHARS_PER_LINE = 50  # at FONT px in system-ui, well inside WIDTH
BLUE, INK, GREY, GRID = "#0d6efd", "#212529", "#495057", "#dee2e6"


def text_width(text: str, size: int = FONT) -> float:
    """A generous estimate of a label's width (wider than most fonts draw it)."""
    return 0.62 * size * len(text)


def _x(pct: float) -> float:
    return PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * max(0.0, min(100.0, pct)) / 100


def _text(x: float, y: float, body: str, **attrs) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(body)}</text>'


def value_label_position(pct: float, high: float, label: str) -> tuple[float, str, str]:
    """Where a bar's value goes: right of the bar and its interval when it
    fits, else inside the bar's end in white (x, text-anchor, colour)."""
    right = max(_x(pct), _x(high)) + 6
    if right + text_width(label) <= WIDTH - PAD:
        return right, "start", INK
    return _x(pct) - 6, "end", "#ffffff"


def bar_chart(*, title: str, bars: list[tuple[str, dict]]) -> bytes:
    """Horizontal bars of percentages with 95% intervals, in the given order
    (top to bottom); a suppressed group keeps its place, marked "not shown"."""
    parts: list[str] = []
    y = PAD
    for line in textwrap.wrap(title, CHARS_PER_LINE - 6) or [""]:
        y += LINE + 2
        parts.append(_text(PAD, y, line, font_size=FONT + 2, font_weight="600", fill=INK))
    y += GAP
    top = y
    rows = []
    for label, figure in bars:
        for line in textwrap.wrap(label, CHARS_PER_LINE) or [""]:
            y += LINE
            rows.append(_text(PAD, y, line, fill=INK))
        y += 4
        if figure.get("suppressed"):
            y += LINE
            rows.append(_text(PLOT_LEFT, y - 4, "not shown: too few people, or to protect others", fill=GREY))
        else:
            pct, (low, high) = figure["pct"], figure["ci95"]
            width = _x(pct) - PLOT_LEFT
            rows.append(f'<rect x="{PLOT_LEFT}" y="{y:.1f}" width="{width:.1f}" height="{BAR}" fill="{BLUE}"/>')
            mid = y + BAR / 2
            rows.append(
                f'<path d="M{_x(low):.1f} {mid - 6:.1f}v12M{_x(low):.1f} {mid:.1f}H{_x(high):.1f}'
                f'M{_x(high):.1f} {mid - 6:.1f}v12" stroke="{INK}" stroke-width="1.5" fill="none"/>'
            )
            value = f"{number(pct)}%"
            x, anchor, colour = value_label_position(pct, high, value)
            rows.append(
                _text(x, mid + 5, value, text_anchor=anchor, fill=colour, font_weight="600", **{"class": "value"})
            )
            y += BAR
        y += GAP
    bottom = y
    grid = []
    for tick in TICKS:
        x = _x(tick)
        grid.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{GRID}"/>')
        # The first and last tick labels are anchored inside the picture: never cut.
        anchor = "start" if tick == TICKS[0] else "end" if tick == TICKS[-1] else "middle"
        grid.append(_text(x, bottom + LINE, f"{tick}%", text_anchor=anchor, fill=GREY))
    height = bottom + AXIS_LABEL_ROOM + PAD
    body = "".join([*parts, *grid, *rows])
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" font-family="system-ui, sans-serif" font-size="{FONT}">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>{body}</svg>\n'
    ).encode()
