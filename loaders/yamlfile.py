"""Reading YAML files safely: nesting and aliases bounded, duplicate keys reported.

Every YAML file chainkg reads (manifests, chain templates, mapping files) goes through
:func:`read_yaml`. YAML lets a few hundred bytes of aliases stand for billions of nodes
("billion laughs"), an alias stand for a node that contains it (``&a [*a]``), and deep
nesting exhaust the parser's recursion. chainkg's files need none of that, so
:class:`BoundedLoader` refuses, quickly and with the place:

- nesting deeper than :data:`MAX_DEPTH` levels;
- aliases that together add more than :data:`MAX_ALIAS_NODES` nodes to the document;
- an alias inside the node it refers to.

A key given twice in one mapping, which YAML parsers resolve silently to the last one,
is reported with both lines.
"""

from __future__ import annotations

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

__all__ = ["read_yaml", "BoundedLoader", "FastBoundedLoader", "YAMLLimitError", "MAX_DEPTH", "MAX_ALIAS_NODES"]

#: Nesting levels a document may have; a 32-level segment tree needs about 70.
MAX_DEPTH = 100
#: Nodes that aliases may add to a document when expanded.
MAX_ALIAS_NODES = 10_000

_MERGE_TAG = "tag:yaml.org,2002:merge"


class YAMLLimitError(yaml.MarkedYAMLError):
    """A document goes beyond a limit of :class:`BoundedLoader`; ``path`` is its YAML path."""

    def __init__(self, problem, mark, path):
        super().__init__(problem=problem, problem_mark=mark)
        self.path = path


class _Bounds(Composer):
    """The composer of :class:`BoundedLoader`, over either parser."""

    def _start_bounds(self):
        self.steps = []  # from the root to the node being composed: indexes and key nodes
        self.sizes = {}  # id(node) -> nodes it stands for with its aliases expanded
        self.alias_nodes = 0
        self.duplicates = []  # (YAML path, key, first line, repeated line)

    def compose_node(self, parent, index):
        self.steps.append(index)
        try:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                return self._alias(parent, index, event)
            if len(self.steps) > MAX_DEPTH:  # the line and column say where; the path starts it
                raise YAMLLimitError(f"nested deeper than {MAX_DEPTH} levels", event.start_mark,
                                     self.path(steps=6))
            node = super().compose_node(parent, index)
            children = _children(node)
            # Only finished nodes have a size: an alias to a node without one is inside it.
            self.sizes[id(node)] = 1 + sum(self.sizes[id(c)] for c in children)
            if isinstance(node, yaml.MappingNode):
                self._record_duplicates(node)
            return node
        finally:
            self.steps.pop()

    def _alias(self, parent, index, event):
        node = super().compose_node(parent, index)
        if id(node) not in self.sizes:
            raise YAMLLimitError(f"alias *{event.anchor} refers to a node that contains it",
                                 event.start_mark, self.path())
        self.alias_nodes += self.sizes[id(node)]
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise YAMLLimitError(f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
                                 event.start_mark, self.path())
        return node

    def _record_duplicates(self, node):
        first = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
                continue
            line = key.start_mark.line + 1
            if (key.tag, key.value) in first:
                self.duplicates.append((_join(self.path(), key.value), key.value,
                                        first[key.tag, key.value], line))
            else:
                first[key.tag, key.value] = line

    def path(self, steps=None):
        """The YAML path (``segments[3].children[0]``) of the node being composed.

        With ``steps``, only the path's first steps, then ``…``.
        """
        shown = [s for s in self.steps if isinstance(s, (int, yaml.ScalarNode))]  # not keys, root
        out = ""
        for step in shown[:steps]:
            if isinstance(step, int):
                out += f"[{step}]"
            elif isinstance(step, yaml.ScalarNode):
                out = _join(out, step.value)
        return out + ("…" if steps is not None and len(shown) > steps else "")


class BoundedLoader(_Bounds, yaml.SafeLoader):
    """A safe loader that bounds nesting and alias expansion and records duplicate keys.

    Examples
    --------
    >>> loader = BoundedLoader("a: [1, 2]\\na: 3\\n")
    >>> loader.get_single_data(), loader.duplicates
    ({'a': 3}, [('a', 'a', 1, 2)])
    """

    def __init__(self, stream):
        yaml.SafeLoader.__init__(self, stream)
        self._start_bounds()


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class FastBoundedLoader(_Bounds, CParser, SafeConstructor, Resolver):
        """:class:`BoundedLoader` with libyaml's scanner and parser (the same documents
        and bounds, about ten times faster); the composer, where the bounds are, is the same."""

        def __init__(self, stream):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start_bounds()
else:  # a PyYAML built without libyaml
    FastBoundedLoader = BoundedLoader


def _children(node):
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return ()


def _join(path, key):
    return f"{path}.{key}" if path else str(key)


def read_yaml(path, report, name=None):
    """Parse a YAML file; every problem becomes one in ``report`` with its line or YAML path.

    Returns the parsed document, or None when it cannot be parsed. A document with
    duplicate keys is returned (with the last value of each), its duplicates reported.
    """
    name = str(name or path)
    try:
        with open(path, encoding="utf-8-sig") as f:
            loader = FastBoundedLoader(f)
            try:
                data = loader.get_single_data()
            finally:
                loader.dispose()
    except UnicodeDecodeError as err:
        report.add("encoding", f"not UTF-8 text ({err.reason} at byte {err.start})", file=name)
    except YAMLLimitError as err:
        mark = err.problem_mark
        report.add("yaml-limit", err.problem, file=name, row=mark.line + 1, column=mark.column + 1,
                   path=err.path)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = dict(row=mark.line + 1, column=mark.column + 1) if mark else {}
        report.add("yaml", f"invalid YAML: {getattr(err, 'problem', None) or err}", file=name, **where)
    except OSError as err:
        report.add("io", f"cannot read: {err.strerror}", file=name)
    else:
        for where, key, first, again in loader.duplicates:
            report.add("duplicate-key", f"duplicate key {key!r} at lines {first} and {again} "
                       "(YAML would keep only the last)", file=name, row=again, path=where)
        return data
    return None
