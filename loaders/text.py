"""Reading chain facts out of Chinese policy and news text.

:func:`extract` finds, sentence by sentence:

- plus-joined segment lists (打造涵盖“研发+制造+封测+应用”的全产业链);
- enumerations (已形成茶、果、畜禽等精深加工产业集群);
- mentions of “X产业” / “X产业链” that name a chain or a segment;
- named companies with the projects the text ties to them (总投资, 状态).

Items are mapped to template segments by name and alias (within the chain the sentence
names, if any); a partial name fits when it leads to one segment or one subtree, and
the head of an enumeration (…加工产业集群) chooses between candidates. What cannot be
mapped, or fits several segments, is reported, never guessed. Segments from lists and
enumerations become presence rows citing the text. Line breaks inside words and
full-width punctuation are normal in such text and are undone first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from chainkg.graph.resolve import normalize_name
from chainkg.graph.schema import PROJECT_STATUSES, PROJECT_STATUS_WORDS
from chainkg.loaders.tables import parse_amount

__all__ = ["Extraction", "normalize_text", "extract", "extract_file", "write_presence", "MENTION_COLUMNS",
           "PROJECT_COLUMNS"]

MENTION_COLUMNS = ["kind", "item", "status", "segment", "chain", "candidates", "sentence"]
PROJECT_COLUMNS = ["enterprise", "project", "investment_cny", "status", "sentence"]
LEAD_IN = re.compile(r"^.*(?:形成|打造|发展|培育|壮大|做强|做大|做优|涵盖|覆盖|包括|包含|聚焦|构建|建设|"
                     r"推动|加快|拥有|引进|布局|集聚|围绕|重点|主导|特色|新兴|优势|传统|的|是|为|和|与|及|在)")
SENTENCE_END = re.compile(r"[。！？；;!?\n]+")
PLUS_LIST = re.compile(r"[“\"'‘]?([\w]{1,12}(?:\s*\+\s*[\w]{1,12})+)[”\"'’]?")
INDUSTRY = re.compile(r"产业链?")
COMPANY = re.compile(r"[\u4e00-\u9fffA-Za-z0-9()]{2,40}?(?:股份有限公司|有限责任公司|有限公司|股份|集团)")
COMPANY_LEAD = re.compile(r"^.*?(?:引进|与|同|由|签约|落户|入驻|投资建设|投资|其中|包括|是|为|将|在|，|,)")
PROJECT = re.compile(r"[\u4e00-\u9fffA-Za-z0-9“”\"]{2,40}?项目")
AMOUNT = re.compile(r"(?:总投资|投资额|投资|协议投资|合同投资)(?:额)?(?:约|达|超过|超|近)?\s*"
                    r"(\d+(?:\.\d+)?)\s*(亿元|万元|亿|万)")
_STATUS_WORDS = sorted(((w, s) for s, ws in PROJECT_STATUS_WORDS.items() for w in ws
                        if re.search(r"[\u4e00-\u9fff]", w)), key=lambda t: -len(t[0]))
GENERIC = {"现代", "主导", "特色", "新兴", "优势", "传统", "重点", "支柱", "未来", "战略性新兴", "全"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_HEAD_NOISE = re.compile(r"(产业集群|产业链|产业|集群|基地|园区|环节|行业|领域|五大|四大|三大|多个|等|农产品)")


def normalize_text(text):
    """Undo line breaks inside words and full-width forms; keep paragraph breaks.

    Examples
    --------
    >>> normalize_text("打造涵盖“研发＋制\\n造＋封测”的全产业链。\\n\\n第二段")
    '打造涵盖“研发+制造+封测”的全产业链。\\n第二段'
    """
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = re.split(r"\n[ \t\u3000]*\n", text)
    return "\n".join(re.sub(r"[ \t\u3000]*\n[ \t\u3000]*", "", p).strip() for p in paragraphs if p.strip())


@dataclass
class Extraction:
    """What a text says: mapped and unmapped mentions, and companies with projects."""

    source: str
    mentions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MENTION_COLUMNS))
    projects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROJECT_COLUMNS))
    written: pd.DataFrame | None = None  # presence rows written to a data directory

    def presence(self, region, as_of=""):
        """Presence rows for the segments that lists and enumerations name, citing the text."""
        m = self.mentions[(self.mentions["status"] == "mapped")
                          & self.mentions["kind"].isin(["plus_list", "enumeration"])]
        m = m.drop_duplicates("segment")
        return pd.DataFrame({"region": region, "segment": m["segment"].values, "enterprises": "",
                             "note": [f"text: {s[:80]}" for s in m["sentence"]],
                             "source": self.source, "as_of": as_of})

    def tables(self):
        out = {"mentions": self.mentions, "projects": self.projects}
        if self.written is not None:
            out["presence_written"] = self.written
        return out

    def to_dict(self):
        return {"source": self.source, **{k: v.to_dict("records") for k, v in self.tables().items()}}


class _Segments:
    """Maps an item of a list to a segment: exact names first, then partial names."""

    def __init__(self, graph):
        self.graph = graph
        self.names = {sid: [normalize_name(n) for n in (s.name, *s.aliases) if n]
                      for sid, s in graph.segments.items()}

    def chain_of(self, sentence):
        found = set()
        for cid, chain in self.graph.chains.items():
            if any(n and n in sentence for n in (chain.name, chain.name_en)):
                found.add(cid)
        return found.pop() if len(found) == 1 else None

    def candidates(self, item, chain=None, head=""):
        key = normalize_name(item)
        if not key:
            return set(), set()
        inside = (lambda sid: chain is None or self.graph.segments[sid].chain == chain)
        exact = {s for s in self.graph.segment_index.lookup(item) if s in self.names and inside(s)}
        partial = {sid for sid, names in self.names.items() if inside(sid) and any(key in n for n in names)}
        cands = exact | partial
        for term in (head, head[-2:]) if head else ():
            fitting = {c for c in cands if any(term in n for n in self.names[c])}
            if fitting:
                cands = fitting
                break
        top = {c for c in cands if not any(a in cands for a in self.graph.ancestors(c, include_self=False))}
        return top, exact

    def map(self, item, chain=None, head=""):
        """(status, segment, candidates, chain): status is mapped, chain (names a whole
        chain), ambiguous or unmapped."""
        chains = self.graph.chain_index.lookup(item)
        if len(chains) == 1:
            return "chain", None, "", next(iter(chains))
        top, exact = self.candidates(item, chain, head)
        if len(top) == 1 or (len(exact) == 1 and not head):
            segment = next(iter(top if len(top) == 1 else exact))
            return "mapped", segment, "", self.graph.segments[segment].chain
        if top:
            return "ambiguous", None, ";".join(sorted(top)), chain
        return "unmapped", None, "", chain


def _mention(kind, item, result, sentence):
    status, segment, candidates, chain = result
    return {"kind": kind, "item": item, "status": status, "segment": segment, "chain": chain or "",
            "candidates": candidates, "sentence": sentence}


def _first_item(text, segs, chain, head=""):
    """The list's first item: the longest mappable end of the text before the separator."""
    for start in range(len(text)):
        if segs.map(text[start:], chain, head)[0] in ("mapped", "chain"):
            return text[start:]
    return LEAD_IN.sub("", text) or text


def _plus_lists(sentence, segs, chain):
    out = []
    for match in PLUS_LIST.finditer(sentence):
        items = [i.strip() for i in match.group(1).split("+")]
        if not all(_CJK.search(i) for i in items):
            continue  # "3+N", "5G+": not a list of segments
        items[0] = _first_item(items[0], segs, chain)
        last = items[-1]
        for end in range(len(last), 0, -1):
            if segs.map(last[:end], chain)[0] in ("mapped", "chain"):
                items[-1] = last[:end]
                break
        out += [_mention("plus_list", i, segs.map(i, chain), sentence) for i in items if i]
    return out


def _enumerations(sentence, segs, chain):
    out = []
    for clause in re.split(r"[,，:：]", sentence):
        parts = clause.split("、")
        if len(parts) < 2:
            continue
        last, head = parts[-1], ""
        if "等" in last:
            last, head = last.split("等", 1)
        else:
            for end in range(len(last), 0, -1):
                if segs.map(last[:end], chain)[0] != "unmapped":
                    last, head = last[:end], last[end:]
                    break
        head = _HEAD_NOISE.sub("", head)
        items = [_first_item(parts[0], segs, chain, head), *parts[1:-1], last]
        out += [_mention("enumeration", i, segs.map(i, chain, head), sentence) for i in items if i]
    return out


def _industries(sentence, segs):
    out = []
    for match in INDUSTRY.finditer(sentence):
        window = sentence[max(0, match.start() - 12):match.start()]
        found = None
        for start in range(len(window) - 1):
            name = window[start:]
            if segs.graph.chain_index.lookup(name) or segs.graph.segment_index.lookup(name):
                found = _mention("industry", name, segs.map(name), sentence)
                break
        if found is None:
            tail = re.search(r"[\u4e00-\u9fff]*$", window).group(0)
            name = LEAD_IN.sub("", tail)
            if len(name) >= 2 and name not in GENERIC:
                found = _mention("industry", name, ("unmapped", None, "", None), sentence)
        if found:
            out.append(found)
    return out


def _projects(sentence):
    out = []
    matches = list(COMPANY.finditer(sentence))
    for i, match in enumerate(matches):
        company = COMPANY_LEAD.sub("", match.group(0))
        # What follows a company, up to the next one, is about it (and its verb before it).
        rest = sentence[match.end():matches[i + 1].start() if i + 1 < len(matches) else None]
        said = match.group(0) + rest
        project = PROJECT.search(rest)
        amount = AMOUNT.search(rest)
        statuses = [s for w, s in _STATUS_WORDS if w in said]
        # 签约意向, 意向投资: an intention, whatever else the clause says.
        status = "intent" if "意向" in said else (
            max(statuses, key=PROJECT_STATUSES.index) if statuses else None)
        if not (project or amount or status):
            continue
        out.append({"enterprise": company,
                    "project": (company + project.group(0)) if project and project.start() == 0
                    else (project.group(0) if project else ""),
                    "investment_cny": parse_amount(amount.group(1) + amount.group(2)) if amount else None,
                    "status": status, "sentence": sentence})
    return out


def extract(text, graph, *, source="text"):
    """Find segment lists, enumerations, industry mentions and company projects in ``text``.

    Parameters
    ----------
    text : str
    graph : ChainGraph
        Whose chain templates the mentions are mapped to.
    source : str
        The source id the presence rows will cite.

    Examples
    --------
    >>> import chainkg
    >>> x = extract("梁平区集成电路产业打造涵盖“设计＋材料＋封\\n测”的全产业链。", chainkg.load())
    >>> x.mentions.loc[x.mentions["kind"] == "plus_list", "segment"].tolist()
    ['ic.design', 'ic.materials', 'ic.packaging']
    """
    segs = _Segments(graph)
    mentions, projects = [], []
    for sentence in SENTENCE_END.split(normalize_text(text)):
        sentence = sentence.strip()
        if not sentence:
            continue
        chain = segs.chain_of(sentence)
        mentions += _plus_lists(sentence, segs, chain)
        mentions += _enumerations(sentence, segs, chain)
        mentions += _industries(sentence, segs)
        projects += _projects(sentence)
    return Extraction(source, pd.DataFrame(mentions, columns=MENTION_COLUMNS),
                      pd.DataFrame(projects, columns=PROJECT_COLUMNS))


def _append_rows(path, table, rows):
    """``rows`` (schema columns) appended to the table at ``path`` under its own headers."""
    from chainkg.loaders.tables import map_headers, read_table

    if path.exists():
        df, fmt = read_table(path)
        mapping, _ = map_headers(list(df.columns), table)
        header = {col: h for h, col in mapping.items()}
        encoding = "utf-8" if fmt == "csv utf-8" else "utf-8-sig"
    else:
        df, header, encoding = pd.DataFrame(), {}, "utf-8"
    new = rows.rename(columns=header)
    return pd.concat([df, new], ignore_index=True).fillna("").to_csv(index=False, lineterminator="\n"), encoding


def write_presence(extraction, datadir, region, *, as_of="", title="", allow_outside=()):
    """Append the text's presence rows (and its source) to a data directory.

    Rows already there for the same region, segment and source are not repeated. The
    directory is validated afterwards; if it no longer loads, both files are restored.

    Returns
    -------
    DataFrame
        The presence rows written.

    Raises
    ------
    ValidationError
        When the directory does not load with the new rows (it is left as it was).
    """
    from pathlib import Path

    from chainkg.errors import DataError, ValidationError
    from chainkg.loaders.datadir import validate
    from chainkg.loaders.tables import read_table
    from chainkg.render import write_atomic

    root = Path(datadir)
    if (root / "presence.xlsx").exists() or (root / "presence.parquet").exists():
        raise DataError("presence rows can only be appended to presence.csv", file=str(root))
    rows = extraction.presence(region, as_of)
    presence_path, sources_path = root / "presence.csv", root / "sources.csv"
    if presence_path.exists():
        old, _ = read_table(presence_path)
        from chainkg.loaders.tables import map_headers

        mapping, _ = map_headers(list(old.columns), "presence")
        have = {tuple(old[h].astype(str)[i] for h in mapping if mapping[h] in ("region", "segment", "source"))
                for i in old.index} if len(mapping) >= 3 else set()
        rows = rows[[(r, g, s) not in have for r, g, s in zip(rows["region"], rows["segment"], rows["source"])]]
    backups = {p: p.read_bytes() for p in (presence_path, sources_path) if p.exists()}
    text, enc = _append_rows(presence_path, "presence", rows)
    write_atomic(presence_path, text.encode(enc))
    if sources_path.exists():
        src, _ = read_table(sources_path)
        if extraction.source not in set(src.iloc[:, 0].astype(str)):
            text, enc = _append_rows(sources_path, "sources", pd.DataFrame(
                [{"id": extraction.source, "title": title or extraction.source, "as_of": as_of,
                  "note": "Text read by chainkg extract"}]))
            write_atomic(sources_path, text.encode(enc))
    report = validate(root, allow_outside=allow_outside)
    if not report.valid:
        for path, data in backups.items():
            write_atomic(path, data)
        if presence_path not in backups:
            presence_path.unlink()
        raise ValidationError(report)
    return rows.reset_index(drop=True)


def extract_file(path, *, data=None, write_presence_to=None, region=None, source=None, as_of="",
                 allow_outside=()):
    """Read a text file (UTF-8 or GB18030) and extract from it; optionally write presence.

    Parameters
    ----------
    path : str or Path
    data : str or Path, optional
        The data directory whose templates the text is mapped to (the embedded one by
        default); ``write_presence_to`` takes its place when given.
    write_presence_to : str or Path, optional
        A data directory to append the presence rows to.
    region : str, optional
        The region the text is about (code or name); the directory's home region by default.
    source : str, optional
        The source id the rows cite; the file name by default.
    allow_outside : iterable of str or Path, optional
        Directories outside the data directory its manifest may name (see
        :func:`~chainkg.loaders.datadir.read_data_dir`).
    """
    from pathlib import Path

    from chainkg.errors import DataError
    from chainkg.loaders.datadir import load

    path = Path(path)
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DataError("cannot decode: not UTF-8 or GB18030/GBK", file=path.name)
    graph = load(write_presence_to or data, allow_outside=allow_outside)
    source = source or re.sub(r"[^\w.-]+", "-", path.stem).strip("-") or "text"
    result = extract(text, graph, source=source)
    if write_presence_to is not None:
        region_id = graph.resolve_region(region) if region else graph.home_region
        if not region_id:
            raise DataError("which region does the text speak of? give --region (the data "
                            "directory has no home_region)", file=str(write_presence_to))
        title = next((line.strip() for line in normalize_text(text).splitlines() if line.strip()), "")
        result.written = write_presence(result, write_presence_to, region_id, as_of=as_of,
                                        title=title[:80], allow_outside=allow_outside)
    return result
