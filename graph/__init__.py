"""The model: schema, ChainGraph, the property-graph view and name resolution."""

from chainkg.graph.model import Chain, ChainGraph, Segment
from chainkg.graph.property_graph import node_key, to_networkx
from chainkg.graph.resolve import NameIndex
from chainkg.graph import schema

__all__ = ["Chain", "ChainGraph", "Segment", "NameIndex", "node_key", "to_networkx", "schema"]
