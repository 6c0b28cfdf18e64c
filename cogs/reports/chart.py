"""The /reports stats chart: turnout per walkout and repercussions by kind, as a PNG.

Pure and thread-safe: it uses matplotlib's object API on the Agg canvas (no pyplot, no global
state, no display), so the cog renders it in a worker thread, off the event loop. Labels come in
already translated.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping

from cogs.reports.stats import Stats
from core.text import fit

MAX_WALKOUTS = 20  # the most recent ones; more bars are unreadable
LABEL_MAX = 28
COLOR_TURNOUT = "#2E7D32"
COLOR_REPERCUSSIONS = "#C62828"


def render_png(stats: Stats, *, labels: Mapping[str, str], kinds: Mapping[str, str]) -> bytes:
    """A 2-panel PNG. ``labels``: ``turnout_title``, ``repercussions_title``, ``people``,
    ``reports``, ``no_turnout``; ``kinds``: kind -> its name in the reader's language."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    walkouts = list(stats.per_walkout)[-MAX_WALKOUTS:]
    fig = Figure(figsize=(10, 7.5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, height_ratios=(3, 2))

    names = [fit(f"#{w.walkout_id} {w.school}", LABEL_MAX) for w in walkouts]
    values = [w.turnout or 0 for w in walkouts]
    top.bar(range(len(walkouts)), values, color=COLOR_TURNOUT)
    top.set_xticks(range(len(walkouts)), names, rotation=35, ha="right", fontsize=8)
    top.set_title(labels["turnout_title"])
    top.set_ylabel(labels["people"])
    for index, walkout in enumerate(walkouts):
        text = str(walkout.turnout) if walkout.turnout is not None else labels["no_turnout"]
        top.annotate(text, (index, values[index]), ha="center", va="bottom", fontsize=8)
    if not walkouts:
        top.set_xticks([])

    order = list(kinds)
    counts = [stats.repercussions.get(kind, 0) for kind in order]
    bottom.barh(range(len(order)), counts, color=COLOR_REPERCUSSIONS)
    bottom.set_yticks(range(len(order)), [kinds[k] for k in order], fontsize=9)
    bottom.invert_yaxis()
    bottom.set_title(labels["repercussions_title"])
    bottom.set_xlabel(labels["reports"])
    bottom.xaxis.get_major_locator().set_params(integer=True)

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs the font lacks (emoji in a school name)
        fig.savefig(buffer, format="png")
    return buffer.getvalue()
