"""Reading chain facts out of Chinese policy and news text, each with its sentence.

:func:`extract` reads a text sentence by sentence and returns facts of five kinds:

- ``segment``: a template segment the text names as present (plus-lists such as
  “设计+材料+封测”, enumerations such as 稻、竹、柚等加工产业集群, X产业), by
  :mod:`chainkg.loaders.text_segments`;
- ``project`` and ``intention``: projects with company, investment, expected output,
  stage, month and segment; lists of companies (…等10家企业达成投资意向), by
  :mod:`chainkg.loaders.text_projects`;
- ``enterprise``: companies a list names without a project;
- ``figure``: pipeline and enterprise counts, amounts and rates with their period
  (1—10月), by :mod:`chainkg.loaders.text_figures`.

Every fact carries the exact sentence, the sentence's character offsets in the text
as given (``start``, ``end``, before line breaks are undone), the rule that found it and
a confidence. Items that look like segments but match none are reported apart
(``unmapped``), never guessed. :func:`write_facts` appends the facts at or above a
confidence threshold to a data directory (presence, figures and projects) and says
what it skipped and why. The cue words are data: ``chainkg/data/extract/text.yaml``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import pandas as pd

from chainkg.loaders.text_figures import figures_in, period_in
from chainkg.loaders.text_projects import projects_in
from chainkg.loaders.text_segments import SegmentNames, segment_mentions

__all__ = ["Extraction", "normalize_text", "extract", "extract_file", "write_facts", "decode_text",
           "FACT_COLUMNS", "UNMAPPED_COLUMNS", "DEFAULT_THRESHOLD"]

FACT_COLUMNS = ["kind", "text", "segment", "chain", "enterprise", "project", "metric", "value", "unit", "period",
                "investment_cny", "expected_output_cny", "status", "stage", "month", "confidence", "rule",
                "note", "sentence", "start", "end"]
UNMAPPED_COLUMNS = ["text", "candidates", "rule", "sentence", "start", "end"]
DEFAULT_THRESHOLD = 0.8
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_BREAK = re.compile(r"[ \t\u3000]*\n(?:[ \t\u3000]*\n)*[ \t\u3000]*")


def _normalize(text):
    """(normalised text, offset map): full-width forms made ASCII, line breaks inside a
    paragraph undone, blank lines made one paragraph break. ``to_source(i)`` gives the
    offset in ``text`` of the normalised character ``i``."""
    text = text.translate(_FULL_WIDTH)  # one character for one: offsets survive
    pieces, norm_starts, source_starts, pos, length = [], [], [], 0, 0
    for m in _BREAK.finditer(text):
        pieces.append(text[pos:m.start()])
        norm_starts.append(length)
        source_starts.append(pos)
        length += m.start() - pos
        if "\n" in m.group(0)[m.group(0).index("\n") + 1:]:
            pieces.append("\n")  # a blank line: a paragraph break
            norm_starts.append(length)
            source_starts.append(m.start())
            length += 1
        pos = m.end()
    pieces.append(text[pos:])
    norm_starts.append(length)
    source_starts.append(pos)

    def to_source(i):
        k = bisect.bisect_right(norm_starts, i) - 1
        return source_starts[k] + (i - norm_starts[k])
    return "".join(pieces), to_source


def normalize_text(text):
    """Undo line breaks inside words and full-width forms; keep paragraph breaks.

    Examples
    --------
    >>> normalize_text("打造涵盖“研发＋制\\n造＋封测”的全产业链。\\n\\n第二段")
    '打造涵盖“研发+制造+封测”的全产业链。\\n第二段'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(p.strip() for p in _normalize(text)[0].split("\n") if p.strip())


@dataclass
class Extraction:
    """What a text says: facts with their evidence, and items that matched no segment."""

    source: str
    facts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FACT_COLUMNS))
    unmapped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UNMAPPED_COLUMNS))
    written: dict = field(default_factory=dict)  # table name -> rows written to a data directory
    skipped: pd.DataFrame | None = None  # facts not written, with the reason

    def of_kind(self, kind, threshold=0.0):
        f = self.facts
        return f[(f["kind"] == kind) & (f["confidence"] >= threshold)]

    def tables(self):
        out = {"facts": self.facts, "unmapped": self.unmapped}
        out.update({f"written_{k}": v for k, v in self.written.items()})
        if self.skipped is not None:
            out["skipped"] = self.skipped
        return out

    def to_dict(self):
        return {"source": self.source, **{k: v.to_dict("records") for k, v in self.tables().items()}}


def _paragraphs(text):
    """(paragraph, offset of its first character) in the normalised text."""
    pos = 0
    for paragraph in text.split("\n"):
        yield paragraph, pos
        pos += len(paragraph) + 1


def extract(text, graph, *, source="text", year=None):
    """Find segment mentions, projects, intentions, enterprises and figures in ``text``.

    Parameters
    ----------
    text : str
    graph : ChainGraph
        Whose chain templates segment mentions are mapped to.
    source : str
        The source id the facts will cite.
    year : str or int, optional
        The year of periods the text gives without one (1—10月).

    Returns
    -------
    Extraction

    Examples
    --------
    >>> import chainkg
    >>> x = extract("梁平区集成电路产业打造涵盖“设计＋材料＋封\\n测”的全产业链。", chainkg.load())
    >>> x.of_kind("segment")[["segment", "start", "end"]].values.tolist()
    [['ic.design', 0, 30], ['ic.materials', 0, 30], ['ic.packaging', 0, 30]]
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    norm, to_source = _normalize(text)
    segs = SegmentNames(graph)
    facts, unmapped = [], []
    for paragraph, offset in _paragraphs(norm):
        period = None  # a period stated once holds for the rest of its paragraph
        for m in _SENTENCE.finditer(paragraph):
            sentence = m.group(0).strip()
            if not sentence:
                continue
            period = period_in(sentence, year) or period
            evidence = {"sentence": sentence, "start": to_source(offset + m.start()),
                        "end": to_source(offset + m.end() - 1) + 1}
            found = segment_mentions(sentence, segs) + projects_in(sentence, segs) + figures_in(sentence, period)
            for fact in found:
                if fact["kind"] == "figure" and not fact.get("period"):
                    fact["period"] = period or ""
                (unmapped if fact["kind"] == "unmapped" else facts).append({**fact, **evidence})
    frame = pd.DataFrame(facts, columns=FACT_COLUMNS)
    for col in ("investment_cny", "expected_output_cny", "month"):
        frame[col] = frame[col].astype("Int64")
    numeric = ("investment_cny", "expected_output_cny", "month", "value", "confidence", "start", "end")
    words = [c for c in FACT_COLUMNS if c not in numeric]  # an all-empty text column is float NaN
    frame[words] = frame[words].astype(object).fillna("")
    return Extraction(source, frame,
                      pd.DataFrame(unmapped, columns=UNMAPPED_COLUMNS))


def decode_text(raw, name="text"):
    """The text of a file's bytes: UTF-8 (with or without BOM) or GB18030/GBK.

    Raises
    ------
    DataError
        For an empty or binary file, or text in another encoding.
    """
    from chainkg.errors import DataError

    if not raw.strip():
        raise DataError("empty file: no text to read", file=name)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("UTF-16 text: save it as UTF-8 or GB18030", file=name)
    if b"\x00" in raw[:65536]:
        raise DataError("binary file, not text (it contains NUL bytes)", file=name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError as err:
            bad = err
    else:
        raise DataError(f"cannot decode: not UTF-8 or GB18030/GBK (byte {bad.start})", file=name) from bad
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > len(text[:65536]) // 100:
        raise DataError("binary file, not text (it is full of control characters)", file=name)
    return text


def extract_file(path, *, data=None, write_to=None, region=None, source=None, as_of="", threshold=DEFAULT_THRESHOLD,
                 allow_outside=()):
    """Read a text file (UTF-8 or GB18030) and extract from it; optionally write its facts.

    Parameters
    ----------
    path : str or Path
    data : str or Path, optional
        The data directory whose templates the text is mapped to (the embedded one by
        default); ``write_to`` takes its place when given.
    write_to : str or Path, optional
        A data directory to append the facts at or above ``threshold`` to (see
        :func:`write_facts`).
    region : str, optional
        The region the text is about (code or name); the directory's home region by default.
    source : str, optional
        The source id the rows cite; the file name by default.
    as_of : str, optional
        The as-of date of the text; its year completes periods given without one.
    allow_outside : iterable of str or Path, optional
        Directories outside the data directory its manifest may name (see
        :func:`~chainkg.loaders.datadir.read_data_dir`).
    """
    from pathlib import Path

    from chainkg.errors import DataError
    from chainkg.loaders.datadir import load

    path = Path(path)
    text = decode_text(path.read_bytes(), path.name)
    graph = load(write_to or data, allow_outside=allow_outside)
    source = source or re.sub(r"[^\w.-]+", "-", path.stem).strip("-") or "text"
    year = re.match(r"\d{4}", as_of or "")
    result = extract(text, graph, source=source, year=year.group(0) if year else None)
    if write_to is not None:
        region_id = graph.resolve_region(region) if region else graph.home_region
        if not region_id:
            raise DataError("which region does the text speak of? give --region (the data "
                            "directory has no home_region)", file=str(write_to))
        title = next((line.strip() for line in normalize_text(text).splitlines() if line.strip()), "")
        from chainkg.loaders.text_write import write_facts as _write

        _write(result, write_to, region_id, graph, as_of=as_of, title=title[:80], threshold=threshold,
               allow_outside=allow_outside)
    return result


def write_facts(extraction, datadir, region, *, as_of="", title="", threshold=DEFAULT_THRESHOLD, allow_outside=()):
    """Append the facts at or above ``threshold`` to a data directory; see :mod:`chainkg.loaders.text_write`."""
    from chainkg.loaders.datadir import load
    from chainkg.loaders.text_write import write_facts as _write

    graph = load(datadir, allow_outside=allow_outside)
    return _write(extraction, datadir, region, graph, as_of=as_of, title=title, threshold=threshold,
                  allow_outside=allow_outside)
