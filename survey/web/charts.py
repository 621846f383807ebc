"""Server-rendered SVG charts (pygal): readable without JavaScript, each bar
labelled with its value so colour is never the only signal."""

import re

import pygal
from pygal.style import Style

from survey.figures.stats import number

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=("#0d6efd", "#6f42c1", "#198754", "#d63384"),
    font_family="system-ui, sans-serif",
    value_font_size=14,
    label_font_size=14,
    title_font_size=16,
)


def bar_chart(*, title: str, bars: list[tuple[str, dict]]) -> bytes:
    """Horizontal bars of percentages with 95% intervals; suppressed bars left out."""
    chart = pygal.HorizontalBar(
        style=STYLE,
        js=[],  # no script, no third-party file
        title=title,
        range=(0, 100),
        show_legend=False,
        print_values=True,
        value_formatter=lambda v: f"{number(v)}%",
        width=720,
        height=max(160, 70 + 46 * len(bars)),
        disable_xml_declaration=False,
    )
    shown = [(label, f) for label, f in bars if not f.get("suppressed")]
    chart.x_labels = [label for label, _ in shown]
    chart.add(
        title,
        [
            {"value": f["pct"], "ci": {"low": f["ci95"][0], "high": f["ci95"][1]}, "label": f"{f['count']} of {f['n']}"}
            for _, f in shown
        ],
    )
    # pygal inlines its tooltip configuration as a script; the chart needs none.
    return re.sub(rb"<script[^>]*>.*?</script>", b"", chart.render(), flags=re.S)
