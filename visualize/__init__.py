"""Interactive HTML chain maps (pyvis / vis-network) that work offline.

>>> import chainkg
>>> from chainkg.visualize import map_data
>>> m = map_data(chainkg.load(), "梁平区", "ic")
>>> m.header["title"]
'梁平区 产业链图谱 · 集成电路'
"""

from chainkg.visualize.build import DEFAULT_MAX_NODES, ChainMap, map_data
from chainkg.visualize.facts import MapFacts, map_facts
from chainkg.visualize.layout import stage_layout
from chainkg.visualize.page import chain_map, render_page, write_chain_map

__all__ = ["DEFAULT_MAX_NODES", "ChainMap", "MapFacts", "chain_map", "map_data", "map_facts",
           "render_page", "stage_layout", "write_chain_map"]
