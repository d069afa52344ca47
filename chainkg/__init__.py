"""chainkg: an industrial-chain knowledge graph (产业链知识图谱) for regional investment planning.

Load chains, regions, enterprises and projects into a :class:`ChainGraph`, find the
missing and weak links of a region's chains and the enterprises elsewhere that could
fill them, draw interactive maps and export to Neo4j.

>>> import chainkg
>>> g = chainkg.load()          # the embedded 梁平区 dataset
>>> g.region_name("500155")
'梁平区'
"""

from chainkg.errors import ChainKGError, DataError, ValidationError
from chainkg.graph import ChainGraph
from chainkg.loaders import Report, load, validate

__version__ = "0.1.0"

__all__ = ["ChainGraph", "ChainKGError", "DataError", "ValidationError", "Report", "load",
           "validate", "__version__"]
