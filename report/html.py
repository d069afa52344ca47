"""The brief as one self-contained HTML page, printable to A4.

No script and no request: the diagrams are SVG images inlined as ``data:`` URIs (an SVG
image cannot run scripts), the style sheet is inline, and a Content-Security-Policy
allows nothing else. Everything from data goes through Jinja's autoescaping.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

import jinja2
from markupsafe import Markup

from chainkg.report.brief import TOP_GAPS, cell_text
from chainkg.report.diagram import FONTS, render_diagram
from chainkg.report.words import GLOSSARY, METHOD, STATUS_ZH
from chainkg.visualize.styles import STATUS_STYLE

__all__ = ["brief_html", "STYLE"]

STYLE = """
@page { size: A4; margin: 14mm 12mm; }
html { font-family: %s; font-size: 10pt; color: #212121; }
body { margin: 0 auto; max-width: 186mm; padding: 0 2mm; }
h1 { font-size: 20pt; margin: 6mm 0 2mm; }
h2 { font-size: 15pt; border-bottom: 2px solid #455a64; margin: 8mm 0 2mm; break-after: avoid; }
h3 { font-size: 12pt; margin: 4mm 0 1.5mm; break-after: avoid; }
section ~ section { break-before: page; }  /* each chain, the ledgers and the sources start a page */
.meta, .note { color: #546e7a; font-size: 9pt; }
table { width: 100%%; table-layout: fixed; border-collapse: collapse; font-size: 8pt; margin: 1mm 0 3mm; }
th, td { border: 1px solid #b0bec5; padding: 1mm 1.2mm; vertical-align: top; overflow-wrap: anywhere;
         word-break: break-word; text-align: left; }
th { background: #eceff1; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
figure { margin: 2mm 0; text-align: center; break-inside: avoid; }
figure img { max-width: 100%%; max-height: 225mm; }
.legend span { display: inline-block; margin-right: 3mm; font-size: 8.5pt; }
.swatch { display: inline-block; width: 4mm; height: 3mm; border: 1px solid; vertical-align: middle; margin-right: 1mm; }
dl dt { font-weight: bold; float: left; clear: left; width: 34mm; }
dl dd { margin: 0 0 1mm 36mm; }
""" % FONTS.replace(",", ", ") + "".join(
    f".s-{status} {{ background: {fill}; border-color: {border}; }}\n"
    for status, (fill, border, _) in STATUS_STYLE.items()) + "".join(
    f".w{p} {{ width: {p}%; }}\n" for p in range(1, 101))

#: Share of a table's width by column: narrow for ranks and numbers, wide for words.
NARROW = ("排名", "位置", "状态", "建议", "优先级", "本地企业", "候选企业", "得分", "阶段", "单位", "证据类型",
          "取值", "期间", "截至")
WIDE = ("主要依据", "理由", "说明", "标题", "环节 segments", "已接洽", "含义", "项目 project", "指标 figure")


def column_widths(columns):
    """Whole percentages of the table width for ``columns`` (CSS classes w1…w100)."""
    units = [1.4 if str(c).startswith(NARROW) else 3.0 if str(c).startswith(WIDE) else 1.8 for c in columns]
    return [max(1, int(100 * u / sum(units))) for u in units]

TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src '{{ style_hash }}'">
<title>{{ brief.title }}</title><style>{{ style }}</style></head>
<body>
<header><h1>{{ brief.title }}</h1>
<p class="meta">地区 region：{{ brief.region_name }}（{{ brief.region }}）；数据截至 as of：{{ brief.as_of }}；
产业链 chains：{% for c in brief.chains %}{{ c.name }}（{{ c.chain }}）{% if not loop.last %}、{% endif %}{% endfor %}</p>
<p>两图两库两清单：产业链全景图、缺链弱链清单、目标企业清单、重点企业库、重点项目库，以及数据来源与方法。</p>
</header>
{% for c in brief.chains %}{% set n = loop.index %}
<section class="chain" id="chain-{{ c.chain }}">
<h2>{{ n }}. {{ c.name }} <small>{{ c.chain }}</small></h2>
<p>完整度 completeness：{{ c.completeness["完整度下限 low"] }}–{{ c.completeness["完整度上限 high"] }}
（证据份额 {{ c.completeness["证据份额 evidence"] }}，证据类型 {{ c.completeness["证据类型 coverage"] }}，来源 {{ c.completeness["来源 sources"] }}）</p>
<h3>{{ n }}.1 产业链全景图 panorama</h3>
<figure><img alt="{{ c.name }}产业链全景图" src="{{ diagrams[c.chain] }}"></figure>
<p class="legend">{% for status, words in legend %}<span><i class="swatch s-{{ status }}"></i>{{ words }}</span>{% endfor %}</p>
<h3>{{ n }}.2 缺链弱链清单 gaps</h3>
{{ table(c.gaps) }}
<h3>{{ n }}.3 目标企业清单 targets</h3>
{% if c.targets|length %}{{ table(c.targets) }}{% else %}<p class="note">前 {{ top_gaps }} 个缺口暂无外地候选企业。</p>{% endif %}
<h3>{{ n }}.4 重点企业库 enterprises</h3>
<p class="note">本地本链企业共 {{ c.enterprise_total }} 家{% if c.enterprise_total > c.enterprises|length %}，下表按名称列前 {{ c.enterprises|length }} 家{% endif %}。</p>
{% if c.enterprises|length %}{{ table(c.enterprises) }}{% endif %}
</section>
{% endfor %}
<section class="chain" id="projects">
<h2>{{ brief.chains|length + 1 }}. 重点项目库 projects</h2>
<h3>项目台账 ledger</h3>
{{ table(brief.projects) }}
<h3>项目漏斗核对 pipeline reconciliation</h3>
<p class="note">报道值与由报道计数重新计算的比率并列，差异照列；“在库项目”为数据中逐项记录的项目。</p>
{{ table(brief.reconciliation) }}
</section>
<section id="sources">
<h2>{{ brief.chains|length + 2 }}. 数据来源与方法 sources and method</h2>
<h3>方法 method</h3><p>{{ method }}</p>
<h3>术语 terms</h3><dl>{% for term, words in glossary %}<dt>{{ term }}</dt><dd>{{ words }}</dd>{% endfor %}</dl>
<h3>数据 figures</h3>{{ table(brief.figures) }}
<h3>来源 sources</h3>{{ table(brief.sources) }}
<h3>参数 settings</h3>{{ table(brief.settings) }}
{% if brief.notes %}<ul class="note">{% for note in brief.notes %}<li>{{ note }}</li>{% endfor %}</ul>{% endif %}
</section>
</body></html>
"""

TABLE = """<table><colgroup>{% for w in widths %}<col class="w{{ w }}">{% endfor %}</colgroup><thead><tr>{% for col in df.columns %}<th>{{ col }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in df.itertuples(index=False) %}<tr>{% for v in row %}<td>{{ cell(v) }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>"""


@lru_cache(maxsize=1)
def _environment():
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals["cell"] = cell_text
    return env


def brief_html(brief):
    """The brief as HTML text (diagrams rendered by Graphviz)."""
    env = _environment()
    table = env.from_string(TABLE)
    diagrams = {c.chain: "data:image/svg+xml;base64,"
                + base64.b64encode(render_diagram(c.diagram, "svg").encode("utf-8")).decode("ascii")
                for c in brief.chains}
    digest = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
    legend = [(s, f"{STATUS_ZH[s]} {s}") for s in STATUS_STYLE]
    return env.from_string(TEMPLATE).render(
        brief=brief, style=Markup(STYLE), style_hash=f"sha256-{digest}", diagrams=diagrams, legend=legend,
        method=METHOD, glossary=GLOSSARY, top_gaps=TOP_GAPS,
        table=lambda df: Markup(table.render(df=df, widths=column_widths(df.columns))))
