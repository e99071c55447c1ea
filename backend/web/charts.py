"""Charts drawn on the server as SVG with pygal, put inline in the page: no script, nothing from
another site, readable without JavaScript.

pygal's SVG carries a script (its tooltips) and a <style> element: the script is cut out (and
pygal told to link none, js=[]), and the style element carries the response's nonce, which the
page's Content-Security-Policy allows (backend/web/headers.py: style_nonce_policy); the one style
attribute pygal writes (its hidden tooltip) is dropped, since the policy allows no attributes.
"""
import functools
import re
import secrets
import sys

from markupsafe import Markup

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="[^"]*"')
_STYLE_ELEMENT = re.compile(r'<style type="text/css">')
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# Most series drawn on one chart: more lines than this cannot be told apart.
MAX_SERIES = 8

COLORS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a7ea4", "#57606a")


@functools.cache
def _pygal():
    """pygal, imported when a chart is first drawn. Its import adds a finder to sys.meta_path (for
    its optional map plugins, unused here) that makes every later import of a missing module
    warn; it is taken out again."""
    import pygal
    from pygal.style import Style

    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    style = Style(background="transparent", plot_background="transparent", font_family="inherit", colors=COLORS)
    return pygal, style


def new_nonce():
    """A fresh nonce for one response's style elements."""
    return secrets.token_urlsafe(16)


def line_chart(title, x_labels, series, nonce, y_title="", percent=False):
    """An inline SVG line chart: `series` is [(name, [value or None per x label])]."""
    pygal, style = _pygal()
    chart = pygal.Line(js=[], disable_xml_declaration=True, style=style, width=900, height=320,
                       title=title, y_title=y_title, show_dots=len(x_labels) <= 40, x_label_rotation=30,
                       show_minor_x_labels=False, x_labels_major_count=min(12, len(x_labels)) or None,
                       truncate_legend=30, legend_at_bottom=True, range=(0, 100) if percent else None,
                       value_formatter=(lambda v: f"{v:.0f} %") if percent else (lambda v: f"{v:,.0f}"))
    chart.x_labels = x_labels
    for name, values in series[:MAX_SERIES]:
        chart.add(name, values)
    return inline_svg(chart, nonce)


def inline_svg(chart, nonce):
    """The chart's SVG, safe to put in the page under its policy."""
    svg = chart.render(is_unicode=True)
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg))
    svg = _STYLE_ATTRIBUTE.sub("", svg)
    svg = _STYLE_ELEMENT.sub(f'<style nonce="{nonce}">', svg)
    return Markup(svg)  # noqa: S704 - pygal escapes the titles and labels it is given
