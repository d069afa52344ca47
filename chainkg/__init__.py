"""chainkg: an industrial-chain knowledge graph (产业链知识图谱) for regional investment planning.

Load chains, regions, enterprises and projects into a :class:`ChainGraph`, find the
missing and weak links of a region's chains and the enterprises elsewhere that could
fill them, draw interactive maps and export to Neo4j.

>>> import chainkg
>>> g = chainkg.load()          # the embedded 梁平区 dataset
>>> g.region_name("500155")
'梁平区'
"""

import os

# python-docx (the DOCX report) brings lxml, which openpyxl would then use to write XLSX;
# its writer fails on a full disk with lxml's own error and leaves a half-closed stream
# that complains when collected. The standard-library writer raises OSError, which
# chainkg turns into one line. An explicit OPENPYXL_LXML setting wins.
os.environ.setdefault("OPENPYXL_LXML", "False")

from chainkg.errors import ChainKGError, DataError, ValidationError  # noqa: E402
from chainkg.graph import ChainGraph  # noqa: E402
from chainkg.loaders import Report, load, validate  # noqa: E402

__version__ = "0.1.0"

__all__ = ["ChainGraph", "ChainKGError", "DataError", "ValidationError", "Report", "load",
           "validate", "__version__"]
