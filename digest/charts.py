"""Inline SVG charts: no script, no external file, every label escaped.

Time runs left to right as in the team's spreadsheets; horizontal bars grow
from the right, the side a Persian label is read from.
"""
from __future__ import annotations

from html import escape
from typing import Sequence

from shenava.digest import fa

BRAND_COLOR = "#0f766e"
PALETTE = ("#d97706", "#7c3aed", "#db2777", "#2563eb", "#65a30d", "#0891b2", "#b91c1c")
NEGATIVE, POSITIVE, MUTED, GRID = "#dc2626", "#16a34a", "#6b7280", "#e5e7eb"


def color_for(index: int, is_brand: bool) -> str:
    return BRAND_COLOR if is_brand else PALETTE[index % len(PALETTE)]


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    # direction="ltr" stops the page's rtl from flipping text-anchor; Persian labels set rtl themselves.
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" direction="ltr" '
            f'role="img" aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">'
            f'<title>{escape(label)}</title>{"".join(body)}</svg>')


def _text(x: float, y: float, text: str, anchor: str = "middle", size: int = 11, fill: str = MUTED,
          rtl: bool = False) -> str:
    # Under direction="rtl" SVG's "start" is the text's right edge.
    direction = ' direction="rtl"' if rtl else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"'
            f'{direction}>{escape(text)}</text>')


def line_chart(labels: Sequence[str], lines: Sequence[tuple[str, str, Sequence[float | None]]], title: str,
               y_min: float = -100, y_max: float = 100, width: int = 720, height: int = 260) -> str:
    """`lines` are (name, color, values); a None value breaks its line."""
    left, right, top, bottom = 44, 30, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (y_max - v) / (y_max - y_min)

    body = []
    for tick in (y_min, (y_min + y_max) / 2, y_max):
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     f'stroke="{GRID}" stroke-width="{1.5 if tick == 0 else 1}"/>')
        body.append(_text(left - 6, y(tick) + 4, fa.signed(tick, 0), anchor="end"))
    step = max(1, n // 7)
    for i, lab in enumerate(labels):
        if i % step == 0 or i == n - 1:
            body.append(_text(x(i), height - bottom + 16, lab, rtl=True))
    for name, color, values in lines:
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((x(i), y(max(y_min, min(y_max, v)))))
        for run in runs:
            if len(run) > 1:
                pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                body.append(f'<polyline class="series" points="{pts}" fill="none" stroke="{color}" '
                            f'stroke-width="2.2" stroke-linejoin="round"/>')
        for i, v in enumerate(values):
            if v is not None:
                body.append(f'<circle cx="{x(i):.1f}" cy="{y(max(y_min, min(y_max, v))):.1f}" r="3" '
                            f'fill="{color}"><title>{escape(name)} — {escape(labels[i])}: '
                            f'{escape(fa.signed(v, 1))}</title></circle>')
    return _svg(width, height, title, body)


def bar_chart(labels: Sequence[str], values: Sequence[int], title: str, marked: Sequence[int] = (),
              color: str = BRAND_COLOR, width: int = 720, height: int = 220) -> str:
    """Vertical bars over time; `marked` indexes (spike days) are drawn in red with a dot above."""
    left, right, top, bottom = 44, 12, 18, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(values), 1)
    peak = max([*values, 1])
    slot = plot_w / n
    body = [f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{GRID}"/>',
            _text(left - 6, top + 4, fa.number(peak), anchor="end")]
    step = max(1, n // 7)
    for i, v in enumerate(values):
        h = plot_h * v / peak
        bx = left + i * slot + slot * 0.15
        fill = NEGATIVE if i in marked else color
        body.append(f'<rect class="bar" x="{bx:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{h:.1f}" fill="{fill}" rx="2"><title>{escape(labels[i])}: '
                    f'{escape(fa.number(v))}</title></rect>')
        if i in marked:
            body.append(f'<circle class="spike-mark" cx="{bx + slot * 0.35:.1f}" cy="{top + plot_h - h - 8:.1f}" '
                        f'r="4" fill="{NEGATIVE}"/>')
        if i % step == 0 or i == n - 1:
            body.append(_text(bx + slot * 0.35, height - bottom + 16, labels[i], rtl=True))
    return _svg(width, height, title, body)


def hbar_chart(rows: Sequence[tuple[str, float, str]], title: str, value_text: Sequence[str] | None = None,
               width: int = 720, bar_h: int = 22) -> str:
    """Horizontal bars (label, value, color), growing leftwards from the labels on the right."""
    label_w, value_w, gap = 170, 70, 8
    height = max(len(rows), 1) * (bar_h + gap) + gap
    peak = max([v for _, v, _ in rows] + [1e-9])
    plot_w = width - label_w - value_w
    body = []
    for i, (label, value, color) in enumerate(rows):
        top = gap + i * (bar_h + gap)
        w = plot_w * max(value, 0) / peak
        x0 = width - label_w - w
        body.append(_text(width - 4, top + bar_h * 0.7, label, anchor="start", size=12, fill="#111827", rtl=True))
        body.append(f'<rect class="bar" x="{x0:.1f}" y="{top}" width="{w:.1f}" height="{bar_h}" fill="{color}" '
                    f'rx="3"><title>{escape(label)}</title></rect>')
        shown = value_text[i] if value_text else fa.number(value)
        body.append(_text(x0 - 6, top + bar_h * 0.7, shown, anchor="end", size=11))
    return _svg(width, height, title, body)
