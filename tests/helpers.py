"""Helpers shared by tests: writing small data directories."""

from __future__ import annotations

import textwrap
from pathlib import Path


DEMO_CHAIN = """\
id: demo
name: 演示链
name_en: Demo chain
source: test
as_of: "2025-01"
segments:
  - id: materials
    name: 材料
    name_en: Materials
    stage: upstream
    children:
      - {id: wafer, name: 硅片, aliases: [晶圆材料]}
      - {id: gas, name: 电子特气}
  - {id: design, name: 设计, stage: upstream}
  - {id: fab, name: 制造, stage: midstream, aliases: [晶圆制造]}
  - {id: packaging, name: 封装测试, stage: midstream, aliases: [封测]}
  - {id: apps, name: 终端应用, stage: downstream, weight: 2}
supplies:
  - {from: materials, to: fab}
  - {from: design, to: fab}
  - {from: fab, to: packaging}
  - {from: packaging, to: apps}
"""

REGIONS = """\
id,name,level,parent,source,as_of
CN,中国,country,,test,2024
500000,重庆市,province,CN,test,2024
500155,梁平区,district,500000,test,2024
320000,江苏省,province,CN,test,2024
320200,无锡市,city,320000,test,2024
"""

SOURCES = """\
id,title,as_of
test,Test fixture (illustrative rows),2025
"""


def write_data_dir(root, files):
    """Write a data directory: {relative path: text or bytes}."""
    root = Path(root)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root
