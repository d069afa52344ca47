"""The chain map as one self-contained HTML page that makes no network request.

The nodes, edges and options are assembled in a pyvis ``Network`` and rendered with
our own Jinja template: pyvis's template loads vis-network and bootstrap from CDNs
even with ``cdn_resources="in_line"``. vis-network's script and stylesheet are read
from the installed pyvis package and inlined. Everything from data reaches the page
either through Jinja's autoescaping (the header) or as JSON in a
``<script type="application/json">`` element with ``<``, ``>``, ``&``, U+2028 and U+2029
escaped, which the page's script turns into DOM text nodes. A Content-Security-Policy
allows only the page's own scripts (by hash), no network access at all, and no inline
event handlers, so even a slip in escaping could not run injected code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from importlib import resources

from chainkg.errors import ExportError
from chainkg.visualize.build import DEFAULT_MAX_NODES, map_data
from chainkg.visualize.styles import legend

__all__ = ["chain_map", "write_chain_map", "render_page", "script_json", "vis_assets", "VIS_VERSION"]

#: The vis-network build shipped in the pyvis wheel that the page inlines.
VIS_VERSION = "9.1.2"

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value):
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, no ``<!--``.

    Examples
    --------
    >>> script_json({"name": "</script><img src=x onerror=alert(1)>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x onerror=alert(1)\\\\u003e"}'
    >>> json.loads(script_json(["a\\u2028b & c"])) == ["a\\u2028b & c"]
    True
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_ESCAPES[m.group()], text)


def _check_inline(text, what, closing):
    lowered = text.lower()
    for bad in (closing, "<!--"):
        if bad in lowered:
            raise ExportError(f"{what} contains {bad!r} and cannot be inlined safely")
    return text


@lru_cache(maxsize=1)
def vis_assets():
    """vis-network's minified script and stylesheet from the installed pyvis package.

    The script's source-map comment is dropped (the map is not shipped, and nothing
    should ask for it); its licence header stays.

    Returns
    -------
    (str, str)
        The script and the stylesheet.

    Raises
    ------
    ExportError
        If pyvis is not installed or lacks the vis-network files.
    """
    try:
        lib = resources.files("pyvis") / "lib" / f"vis-{VIS_VERSION}"
        js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
        css = (lib / "vis-network.css").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as err:
        raise ExportError(f"vis-network {VIS_VERSION} not found in pyvis ({err}); "
                          "reinstall pyvis (a dependency of chainkg): pip install 'pyvis>=0.3.2,<0.4'") from err
    js = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", js)
    return _check_inline(js, "vis-network.min.js", "</script"), _check_inline(css, "vis-network.css", "</style")


def _own(name):
    return (resources.files("chainkg.visualize") / "static" / name).read_text(encoding="utf-8")


def _sha256(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _network(cmap):
    """The nodes and edges in a pyvis Network, with our options (physics off)."""
    try:
        from pyvis.network import Network
    except ImportError as err:
        raise ExportError(f"chain maps need pyvis ({err}); install the viz extra: "
                          "pip install 'chainkg[viz]'") from err

    net = Network(directed=True, height="100%", width="100%", cdn_resources="in_line")
    for node in cmap.nodes:
        node = dict(node)
        net.add_node(node.pop("id"), label=node.pop("label"), shape=node.pop("shape"),
                     color=node.pop("color"), **node)
    for edge in cmap.edges:
        edge = dict(edge)
        net.add_edge(edge.pop("from"), edge.pop("to"), **edge)
    net.options = {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "edges": {"smooth": False},
        "nodes": {"font": {"face": "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', "
                                   "'WenQuanYi Micro Hei', sans-serif", "size": 14}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": len(cmap.nodes) > 500,
                        "multiselect": False, "navigationButtons": False},
    }
    nodes, edges, _, _, _, options = net.get_network_data()
    return nodes, edges, json.loads(options)


def render_page(cmap):
    """The HTML page of a :class:`~chainkg.visualize.build.ChainMap`.

    Returns
    -------
    str
    """
    nodes, edges, options = _network(cmap)
    import jinja2  # a dependency of pyvis

    vis_js, vis_css = vis_assets()
    page_js = _check_inline(_own("chain_map.js"), "chain_map.js", "</script")
    data = script_json({"nodes": nodes, "edges": edges, "options": options, "columns": cmap.columns})
    env = jinja2.Environment(loader=jinja2.PackageLoader("chainkg.visualize", "templates"),
                             autoescape=True, keep_trailing_newline=True)
    return env.get_template("chain_map.html").render(
        header=cmap.header, legend=legend(), data_json=data, vis_js=vis_js, vis_css=vis_css,
        page_css=_own("chain_map.css"), page_js=page_js,
        script_hashes=" ".join(_sha256(s) for s in (vis_js, page_js)))


def chain_map(graph, region=None, chains=None, *, enterprises=False, projects=False,
              max_nodes=DEFAULT_MAX_NODES, **settings):
    """An interactive HTML map of a region's chains, coloured by gap status.

    Parameters are those of :func:`~chainkg.visualize.build.map_data`.

    Returns
    -------
    str
        One self-contained HTML page.

    Examples
    --------
    >>> import chainkg
    >>> html = chain_map(chainkg.load(), "梁平区", "ic")
    >>> html.startswith("<!DOCTYPE html>") and "梁平区" in html and "<script src" not in html
    True
    """
    return render_page(map_data(graph, region, chains, enterprises=enterprises, projects=projects,
                                max_nodes=max_nodes, **settings))


def write_chain_map(path, graph, region=None, chains=None, **options):
    """Write :func:`chain_map` to ``path`` atomically; returns the map's data.

    Returns
    -------
    ChainMap
    """
    from chainkg.render import write_atomic

    cmap = map_data(graph, region, chains, **options)
    write_atomic(path, render_page(cmap))
    return cmap
