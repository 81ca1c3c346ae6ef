"""Plotly figures of the report. Each comes with a title, axis labels, a one-sentence text
alternative and a data table, so the numbers are readable without the chart (and without JS)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from assess.report.escape import plot_text

# Okabe & Ito (2008), a palette that colour-blind readers can tell apart
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"]
ORANGE, SKY, GREEN, BLUE, VERMILLION, PURPLE, YELLOW, BLACK = OKABE_ITO
KIND_COLOUR = {"forecast": ORANGE, "perceived": SKY, "measured": BLACK}
KIND_SYMBOL = {"forecast": "diamond", "perceived": "circle", "measured": "square"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@dataclass
class Figure:
    id: str
    title: str
    caption: str  # the text alternative: what the chart shows, in words
    figure: go.Figure
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    height: int = 320

    def to_json(self) -> str:
        return pio.to_json(self.figure, validate=False, pretty=False, remove_uids=True)


def pct(value: float | None, signed: bool = False, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value * 100:+.{digits}f}%" if signed else f"{value * 100:.{digits}f}%"


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str | None = None, height: int = 320,
            legend: bool = False) -> None:
    fig.update_layout(
        title={"text": plot_text(title), "x": 0, "xanchor": "left", "font": {"size": 15}},
        font={"family": FONT, "size": 12, "color": "#222"},
        template="simple_white", height=height, margin={"l": 10, "r": 16, "t": 44, "b": 48},
        showlegend=legend, paper_bgcolor="#fff", plot_bgcolor="#fff",
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0},
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(title_text=x_title, showgrid=True, gridcolor="#e5e5e5", automargin=True)
    fig.update_yaxes(title_text=y_title or "", automargin=True)


def level_gap(gap: dict[str, Any]) -> Figure:
    labels, xs, lo, hi, colours, texts = [], [], [], [], [], []
    if gap.get("claimed") is not None:
        labels.append("Claimed (survey)")
        xs.append(gap["claimed"])
        lo.append(0)
        hi.append(0)
        colours.append(ORANGE)
        texts.append(f"{gap['claimed']:g}")
    rng = gap.get("evidenced_range")
    if gap.get("evidenced") is not None or rng:
        point = gap["evidenced"] if gap.get("evidenced") is not None else (rng[0] + rng[1]) / 2
        labels.append("Evidenced")
        xs.append(point)
        lo.append(point - rng[0] if rng else 0)
        hi.append(rng[1] - point if rng else 0)
        colours.append(BLACK)
        texts.append(f"{gap['evidenced']}" if gap.get("evidenced") is not None else f"{rng[0]}–{rng[1]}")
    fig = go.Figure(go.Scatter(
        x=xs, y=labels, mode="markers+text", text=texts, textposition="top center",
        marker={"size": 14, "color": colours, "symbol": ["diamond", "square"][: len(xs)]},
        error_x={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo, "color": "#444", "thickness": 2},
        hovertemplate="%{y}: %{text}<extra></extra>", cliponaxis=False))
    _layout(fig, "Level: claimed vs evidenced", "Level (0–5)", height=230)
    fig.update_xaxes(range=[-0.3, 5.3], dtick=1)
    caption = (f"The team places itself at level {gap['claimed']:g} (median of {gap['claimed_n']} answers); "
               + (f"the evidence places it at {texts[-1]}." if len(texts) > 1 else "the evidence gives no level."))
    rows = [[label, text] for label, text in zip(labels, texts)]
    return Figure("fig-gap-level", "Level: claimed vs evidenced", caption, fig, ["Source", "Level"], rows, 230)


def share_gap(gap: dict[str, Any]) -> Figure:
    labels, values, colours = [], [], []
    if gap.get("perceived") is not None:
        labels.append("Perceived (survey)")
        values.append(gap["perceived"])
        colours.append(ORANGE)
    labels += ["Mined: lines", "Mined: commits"]
    values += [gap["mined"], gap["mined_commits"] or 0]
    colours += [BLACK, "#777777"]
    fig = go.Figure(go.Bar(x=[v * 100 for v in values], y=labels, orientation="h", marker_color=colours,
                           text=[pct(v) for v in values], textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{x:.1f}%<extra></extra>"))
    _layout(fig, "AI share of code: perceived vs mined", "AI share (%)", height=250)
    fig.update_xaxes(range=[0, 110], ticksuffix="%")
    caption = (f"Mined from history, AI-attributed commits account for {pct(gap['mined'])} of changed code lines "
               f"({pct(gap['mined_commits'])} of commits)"
               + (f"; the team believes {pct(gap['perceived'])}, a gap of {gap['gap_pp']:+.1f} points."
                  if gap.get("perceived") is not None else "; no questionnaire gives the perceived share."))
    return Figure("fig-gap-share", "AI share of code: perceived vs mined", caption, fig, ["Measure", "Share"],
                  [[label, pct(v)] for label, v in zip(labels, values)], 250)


def _forest(rows: list[dict[str, Any]], title: str, fig_id: str, x_title: str, height: int | None = None,
            colour_key: str = "kind") -> tuple[go.Figure, int]:
    fig = go.Figure()
    labels = [plot_text(r["label"]) for r in rows]
    seen = set()
    for r, label in zip(rows, labels):
        kind = r.get(colour_key, "measured")
        ci = r.get("ci95")
        x = r["speedup"] * 100
        fig.add_trace(go.Scatter(
            x=[x], y=[label], mode="markers", name={"forecast": "Forecast", "perceived": "Perceived",
                                                    "measured": "Measured"}.get(kind, kind),
            legendgroup=kind, showlegend=kind not in seen,
            marker={"size": 13 if kind == "measured" else 11, "color": KIND_COLOUR.get(kind, BLUE),
                    "symbol": KIND_SYMBOL.get(kind, "circle"), "line": {"width": 1, "color": "#222"}},
            error_x=None if not ci else {"type": "data", "symmetric": False, "array": [ci[1] * 100 - x],
                                         "arrayminus": [x - ci[0] * 100], "color": "#444", "thickness": 2},
            hovertemplate=("%{y}: %{x:+.1f}%" + (f" (95% CI {ci[0] * 100:+.1f}% to {ci[1] * 100:+.1f}%)"
                                                 if ci else "") + "<extra></extra>")))
        seen.add(kind)
    h = height or (110 + 38 * len(rows))
    _layout(fig, title, x_title, height=h, legend=True)
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(labels)))
    lows = [min(r["speedup"], *(r.get("ci95") or [r["speedup"]])) * 100 for r in rows] + [0.0]
    highs = [max(r["speedup"], *(r.get("ci95") or [r["speedup"]])) * 100 for r in rows] + [0.0]
    pad = (max(highs) - min(lows)) * 0.08 or 5.0
    fig.update_xaxes(ticksuffix="%", zeroline=True, zerolinecolor="#333", zerolinewidth=1.5, tickangle=0,
                     nticks=8, range=[min(lows) - pad, max(highs) + pad])
    fig.add_vline(x=0, line_color="#333", line_width=1.5)
    fig.add_annotation(text="← faster with AI", x=0, xref="x", xanchor="right", xshift=-8, y=1.0, yref="paper",
                       yanchor="bottom", showarrow=False, font={"size": 11, "color": "#555"})
    fig.add_annotation(text="slower with AI →", x=0, xref="x", xanchor="left", xshift=8, y=1.0, yref="paper",
                       yanchor="bottom", showarrow=False, font={"size": 11, "color": "#555"})
    return fig, h


def speedup_gap(gap: dict[str, Any]) -> Figure:
    rows = gap["rows"]
    fig, h = _forest(rows, "Speedup: forecast, perceived and measured", "fig-gap-speedup",
                     "Time change with AI (%)")
    fig.update_layout(margin={"t": 56})
    if gap.get("measured") is not None:
        ci = gap["measured_ci95"]
        caption = (f"Measured in the randomised study, AI changed task time by {pct(gap['measured'], True)} "
                   f"(95% CI {pct(ci[0], True)} to {pct(ci[1], True)})"
                   + (f"; the team forecast {pct(gap['forecast'], True)}" if gap.get("forecast") is not None else "")
                   + (f" and perceived {pct(gap['perceived'], True)}" if gap.get("perceived") is not None else "")
                   + ". Negative is faster.")
    else:
        caption = ("No randomised study: only beliefs are shown — "
                   + "; ".join(f"{r['label']} {pct(r['speedup'], True)}" for r in rows) + ". Negative is faster.")
    table = [[r["label"], pct(r["speedup"], True),
              f"{pct(r['ci95'][0], True)} to {pct(r['ci95'][1], True)}" if r.get("ci95") else "—",
              f"{r['n']} {r['unit']}"] for r in rows]
    return Figure("fig-gap-speedup", "Speedup: forecast, perceived and measured", caption, fig,
                  ["Estimate", "Change in time", "95% interval", "Based on"], table, h)


def _level_points(items: list[dict[str, Any]]) -> tuple[list[float], list[float], list[float]]:
    """Marker position (the level, or the middle of a range) and its error bars down to and up to the range."""
    points, lo, hi = [], [], []
    for item in items:
        rng = item.get("range") or [item["level"], item["level"]]
        x = item["level"] if item["level"] is not None else (rng[0] + rng[1]) / 2
        points.append(x)
        lo.append(x - rng[0])
        hi.append(rng[1] - x)
    return points, lo, hi


def dimensions(dims: list[dict[str, Any]]) -> Figure:
    names = [d["name"] for d in dims]
    fig = go.Figure()
    placed = [d for d in dims if d["level"] is not None or d.get("range")]
    if placed:
        xs, lo, hi = _level_points(placed)
        fig.add_trace(go.Scatter(
            x=xs, y=[d["name"] for d in placed], mode="markers", name="Evidenced level (bar: range)",
            marker={"size": 14, "symbol": "square", "color": BLUE},
            error_x={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo, "color": BLUE, "thickness": 3},
            hovertemplate="%{y}: level %{x}<extra></extra>"))
    scored = [d for d in dims if d.get("survey_score") is not None]
    if scored:
        fig.add_trace(go.Scatter(
            x=[d["survey_score"] for d in scored], y=[d["name"] for d in scored], mode="markers",
            name="Questionnaire score", marker={"size": 12, "symbol": "diamond", "color": ORANGE,
                                                "line": {"width": 1, "color": "#222"}},
            hovertemplate="%{y}: questionnaire %{x:.2f}<extra></extra>"))
    h = 120 + 40 * len(names)
    _layout(fig, "Level per dimension", "Level (0–5)", height=h, legend=True)
    fig.update_xaxes(range=[-0.3, 5.3], dtick=1)
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(names)))
    caption = "; ".join(
        f"{d['name']}: " + (f"level {d['level']}" if d["level"] is not None else
                            (f"range {d['range'][0]}–{d['range'][1]}" if d.get("range") else "not placed"))
        + (f" (questionnaire {d['survey_score']:.1f})" if d.get("survey_score") is not None else "")
        for d in dims) + "."
    rows = [[d["name"], "—" if d["level"] is None else d["level"],
             f"{d['range'][0]}–{d['range'][1]}" if d.get("range") else "—", d["confidence"],
             "—" if d.get("survey_score") is None else f"{d['survey_score']:.2f}"] for d in dims]
    return Figure("fig-dimensions", "Level per dimension", caption, fig,
                  ["Dimension", "Level", "Range", "Confidence", "Questionnaire score"], rows, h)


def timeline_share(timeline: dict[str, Any]) -> Figure:
    months = [m["month"] for m in timeline["months"]]
    fig = go.Figure()
    for i, agent in enumerate(timeline["agents"]):
        share = [(m["by_agent"].get(agent["id"], 0) / m["commits"] * 100) if m["commits"] else 0
                 for m in timeline["months"]]
        fig.add_trace(go.Bar(x=months, y=share, name=plot_text(agent["name"]),
                             marker_color=OKABE_ITO[i % 7],
                             hovertemplate="%{fullData.name} %{x}: %{y:.1f}% of commits<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=months, y=[None if m["ai_share_lines"] is None else m["ai_share_lines"] * 100 for m in timeline["months"]],
        name="All AI: share of changed lines", mode="lines+markers", line={"color": BLACK, "width": 2, "dash": "dot"},
        hovertemplate="%{x}: %{y:.1f}% of changed lines<extra></extra>"))
    _layout(fig, "AI share per month, by agent", "Month", "Share of work commits (%)", height=340, legend=True)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    _month_axis(fig)
    peak = max(timeline["months"], key=lambda m: m["ai_share_commits"] or 0)
    caption = (f"{len(months)} months from {months[0]} to {months[-1]}; the AI share of commits peaks at "
               f"{pct(peak['ai_share_commits'])} in {peak['month']}; the last month has "
               f"{pct(timeline['months'][-1]['ai_share_commits'])} of commits and "
               f"{pct(timeline['months'][-1]['ai_share_lines'])} of changed lines from AI.")
    rows = [[m["month"], m["commits"], m["ai_commits"], pct(m["ai_share_commits"]), pct(m["ai_share_lines"]),
             ", ".join(f"{a}: {n}" for a, n in m["by_agent"].items()) or "—"] for m in timeline["months"]]
    return Figure("fig-timeline-share", "AI share per month, by agent", caption, fig,
                  ["Month", "Work commits", "AI commits", "AI share (commits)", "AI share (lines)", "By agent"], rows, 340)


def timeline_level(timeline: dict[str, Any]) -> Figure:
    months = [m for m in timeline["months"] if m["level"] is not None or m.get("range")]
    xs = [m["month"] for m in months]
    ys, lo, hi = _level_points(months)
    fig = go.Figure(go.Scatter(
        x=xs, y=ys, mode="lines+markers", line={"shape": "hv", "color": BLUE, "width": 2.5}, name="Level",
        marker={"size": 8, "color": BLUE,
                "symbol": ["circle" if m["level"] is not None else "circle-open" for m in months]},
        text=[_lv(m) for m in months],
        error_y={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo, "color": SKY, "thickness": 1.5},
        hovertemplate="%{x}: level %{text}<extra></extra>"))
    _layout(fig, "Level per month", "Month", "Level (0–5)", height=300)
    fig.update_yaxes(range=[-0.3, 5.3], dtick=1)
    _month_axis(fig)
    caption = (f"From {xs[0]} to {xs[-1]} the evidenced level moves from {_lv(months[0])} to {_lv(months[-1])}; "
               f"the highest is {max(ys):g}. Hollow markers: only a range could be placed (bar: the range).")
    changes = timeline.get("changes") or []
    if changes:
        caption += " Level changes: " + "; ".join(c["text"] for c in changes) + "."
    rows = [[m["month"], _lv(m), f"{m['range'][0]}–{m['range'][1]}" if m.get("range") else "—"] for m in months]
    return Figure("fig-timeline-level", "Level per month", caption, fig, ["Month", "Level", "Range"], rows, 300)


def _month_axis(fig: go.Figure) -> None:
    """Months on a date axis (plotly thins the ticks), each value drawn in the middle of its month."""
    fig.update_traces(xperiod="M1", xperiodalignment="middle")
    fig.update_xaxes(type="date", tickformat="%b %Y", hoverformat="%Y-%m", ticklabelmode="period")


def _lv(m: dict[str, Any]) -> str:
    if m["level"] is not None:
        return str(m["level"])
    return f"{m['range'][0]}–{m['range'][1]}"


def study_developers(study: dict[str, Any]) -> Figure:
    devs = [d for d in study["per_developer"] if d["speedup"] is not None]
    devs.sort(key=lambda d: d["speedup"])
    rows = [{"label": d["developer"], "speedup": d["speedup"], "ci95": d["ci95"], "kind": "perceived"} for d in devs]
    est = study["estimate"]
    rows.append({"label": "All developers (pooled)", "speedup": est["speedup"], "ci95": est["ci95"],
                 "kind": "measured"})
    fig, h = _forest(rows, "Measured speedup per developer", "fig-study-developers",
                     "Time change with AI (%)")
    for trace in fig.data:
        if trace.legendgroup == "perceived":
            trace.name = "One developer"
            trace.marker.color = SKY
        else:
            trace.name = "Pooled estimate"
    fig.update_layout(margin={"t": 56})
    faster = sum(1 for d in devs if d["speedup"] < 0)
    caption = (f"Per-developer estimates for {len(devs)} developers: {faster} of them faster with AI, "
               f"{len(devs) - faster} slower; individual intervals are wide, the pooled estimate is "
               f"{pct(est['speedup'], True)} ({est['label']}).")
    table = [[d["developer"], d["n_tasks"], pct(d["speedup"], True),
              f"{pct(d['ci95'][0], True)} to {pct(d['ci95'][1], True)}" if d["ci95"] else "—",
              pct(d["forecast_speedup"], True), pct(d["post_study_speedup"], True)] for d in devs]
    return Figure("fig-study-developers", "Measured speedup per developer", caption, fig,
                  ["Developer", "Tasks", "Measured", "95% interval", "Forecast", "Believed afterwards"], table, h)


FIGURE_IDS = ("gap_level", "gap_share", "gap_speedup", "dimensions", "timeline_share", "timeline_level",
              "study_developers")


def build_figures(report: dict[str, Any]) -> dict[str, Figure | None]:
    """Every figure the data supports, by id; a missing input means a missing figure, never a fake one."""
    # every id is present (None when the data do not support that figure), so templates can test it
    figs: dict[str, Figure | None] = dict.fromkeys(FIGURE_IDS)
    gaps = report["gaps"]
    if gaps["level"]:
        figs["gap_level"] = level_gap(gaps["level"])
    if gaps["ai_share"]:
        figs["gap_share"] = share_gap(gaps["ai_share"])
    if gaps["speedup"]:
        figs["gap_speedup"] = speedup_gap(gaps["speedup"])
    if report["dimensions"]:
        figs["dimensions"] = dimensions(report["dimensions"])
    tl = report["timeline"]
    if any(m["commits"] for m in tl["months"]):
        figs["timeline_share"] = timeline_share(tl)
    if any(m["level"] is not None or m.get("range") for m in tl["months"]):
        figs["timeline_level"] = timeline_level(tl)
    if report["study"] and any(d["speedup"] is not None for d in report["study"]["per_developer"]):
        figs["study_developers"] = study_developers(report["study"])
    return figs
