"""The model: schema, ChainGraph, the property-graph view and name resolution."""

from chainkg.graph.model import Chain, ChainGraph, Segment
from chainkg.graph.property_graph import node_key, to_networkx
from chainkg.graph.resolve import NameIndex
from chainkg.graph.property_tables import property_tables
from chainkg.graph.neo4j_store import Neo4jStore, connect as connect_neo4j, write_dry_run
from chainkg.graph.neo4j_bundle import write_import_bundle
from chainkg.graph.files import write_graph_file
from chainkg.graph import schema

__all__ = ["Chain", "ChainGraph", "Segment", "NameIndex", "node_key", "to_networkx", "schema",
           "property_tables", "Neo4jStore", "connect_neo4j", "write_dry_run", "write_import_bundle",
           "write_graph_file"]
