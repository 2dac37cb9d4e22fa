"""Server-rendered SVG charts for the dashboard: no JavaScript, no library, nothing fetched.

Each chart is a function of plain numbers returning markup (escaped with `format_html`), with
a `<title>` per bar for the browser's tooltip and an accessible label; the template shows the
same figures in a table beside it.
"""

from dataclasses import dataclass
from decimal import Decimal
from math import ceil, floor, log10

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from jackpot.core.formatting import compact


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: list  # numbers, one per label
    unit: str | None = None  # a currency code, or None for counts


def nice_ceiling(value: float, integers: bool = False) -> tuple[float, float]:
    """A round top for the axis above `value`, and its tick step (at most 5 ticks); with
    `integers`, steps are whole numbers (counts have no 0.2 of a voucher)."""
    if value <= 0:
        return 4.0, 1.0
    magnitude = 10 ** floor(log10(value))
    for step_factor in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        step = step_factor * magnitude
        if integers and (step < 1 or step != int(step)):
            continue
        if value / step <= 5:
            return ceil(value / step) * step, step
    return value, value / 4  # unreachable: the loop always finds a step


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def column_chart(
    labels: list[str],
    series: list[Series],
    *,
    aria_label: str,
    width: int = 720,
    height: int = 240,
    max_labels: int = 8,
    integers: bool = False,
) -> str:
    """Columns per label, the series stacked (first at the bottom)."""
    left, right, top, bottom = 46, 14, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)
    totals = [sum(float(s.values[i]) for s in series) for i in range(len(labels))]
    axis_top, step = nice_ceiling(max(totals, default=0), integers)
    unit = series[0].unit if series else None
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
            'xmlns="http://www.w3.org/2000/svg">',
            width,
            height,
            aria_label,
        )
    ]
    ticks = int(round(axis_top / step))
    for t in range(ticks + 1):
        value = t * step
        y = top + plot_h - plot_h * value / axis_top
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                width - right,
                _fmt(y),
                _fmt(y),
                left - 8,
                _fmt(y + 4),
                compact(Decimal(str(round(value, 2))), unit),
            )
        )
    band = plot_w / n
    bar_w = min(band * 0.68, 36)
    every = max(1, ceil(n / max_labels))
    for i, label in enumerate(labels):
        x = left + band * i + (band - bar_w) / 2
        base = top + plot_h
        tooltip = [label] + [
            f"{s.name}: {compact(Decimal(str(s.values[i])), s.unit)}" for s in series
        ]
        parts.append(format_html("<g><title>{}</title>", "\n".join(tooltip)))
        for s in series:
            value = float(s.values[i])
            if value <= 0:
                continue
            h = plot_h * value / axis_top
            base -= h
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"/>',
                    _fmt(x),
                    _fmt(base),
                    _fmt(bar_w),
                    _fmt(h),
                    s.color,
                )
            )
        # an invisible full-height band so that hovering anywhere in the column shows the title
        parts.append(
            format_html(
                '<rect class="hit" x="{}" y="{}" width="{}" height="{}"/></g>',
                _fmt(left + band * i),
                top,
                _fmt(band),
                plot_h,
            )
        )
        if i % every == 0:
            centre = left + band * i + band / 2
            anchor = "end" if centre > width - right - 18 else "middle"
            parts.append(
                format_html(
                    '<text class="label" x="{}" y="{}" text-anchor="{}">{}</text>',
                    _fmt(width - right if anchor == "end" else centre),
                    height - 8,
                    anchor,
                    label,
                )
            )
    parts.append(
        format_html(
            '<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>',
            left,
            width - right,
            top + plot_h,
            top + plot_h,
        )
    )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part escaped above


def bar_chart(
    labels: list[str],
    series: list[Series],
    *,
    aria_label: str,
    notes: list[str] | None = None,
    width: int = 720,
    row_height: int = 34,
    labels_above: bool = False,
) -> str:
    """Horizontal bars, one row per label, series stacked; `notes` are printed at the bar's end.

    With `labels_above` (a phone's narrow chart) each row writes its label and note on a line of
    their own above a bar of the whole width, instead of beside it.
    """
    label_w, right, top = (0, 0, 4) if labels_above else (150, 110, 8)
    row_height = 44 if labels_above else row_height
    plot_w = width - label_w - right
    height = top * 2 + row_height * max(len(labels), 1)
    totals = [sum(float(s.values[i]) for s in series) for i in range(len(labels))]
    axis_top = max(totals, default=0) or 1
    parts = [
        format_html(
            '<svg class="chart chart-bars" viewBox="0 0 {} {}" role="img" aria-label="{}" '
            'xmlns="http://www.w3.org/2000/svg">',
            width,
            height,
            aria_label,
        )
    ]
    for i, label in enumerate(labels):
        y = top + row_height * i
        bar_h = row_height * (0.34 if labels_above else 0.56)
        bar_y = y + row_height - bar_h - 6 if labels_above else y + (row_height - bar_h) / 2
        text_y = y + 14 if labels_above else y + row_height / 2 + 4
        short = label if len(label) <= 20 else label[:19] + "…"
        parts.append(
            format_html(
                '<g><title>{}</title><text class="label" x="{}" y="{}" text-anchor="{}">{}</text>',
                "\n".join(
                    [label]
                    + [f"{s.name}: {compact(Decimal(str(s.values[i])), s.unit)}" for s in series]
                ),
                0 if labels_above else label_w - 10,
                _fmt(text_y),
                "start" if labels_above else "end",
                short,
            )
        )
        parts.append(
            format_html(
                '<rect class="track" x="{}" y="{}" width="{}" height="{}" rx="3"/>',
                label_w,
                _fmt(bar_y),
                plot_w,
                _fmt(bar_h),
            )
        )
        x = label_w
        for s in series:
            value = float(s.values[i])
            if value <= 0:
                continue
            w = plot_w * value / axis_top
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}"/>',
                    _fmt(x),
                    _fmt(bar_y),
                    _fmt(max(w, 1)),
                    _fmt(bar_h),
                    s.color,
                )
            )
            x += w
        note = (notes or [""] * len(labels))[i]
        parts.append(
            format_html(
                '<text class="value" x="{}" y="{}" text-anchor="{}">{}</text></g>',
                _fmt(width if labels_above else label_w + plot_w + 8),
                _fmt(text_y),
                "end" if labels_above else "start",
                note,
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part escaped above


__all__ = ["Series", "bar_chart", "column_chart", "nice_ceiling"]
