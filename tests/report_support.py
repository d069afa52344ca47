"""Data for the report tests: the embedded 梁平区 data with hostile enterprise names added."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'
IMG = '<img src=x onerror="window.__xss=1">'

# A local enterprise in an IC segment (enterprise ledger), and two elsewhere in the top IC gap
# (target list), one of them with a name a spreadsheet would run.
HOSTILE_ROWS = [
    f'evil-local,"{SCRIPT}",500155,ic.packaging,规上,,,封装测试,high,test-hostile,2025',
    f'evil-formula,"{FORMULA.replace(chr(34), chr(34) * 2)}",310000,ic.fabrication.power,上市;专精特新,'
    f'9000000000,,功率半导体,high,test-hostile,2025',
    f'evil-img,"{IMG.replace(chr(34), chr(34) * 2)}",320500,ic.fabrication.power,上市,8000000000,,功率半导体,'
    f'high,test-hostile,2025',
]


def hostile_data_dir(root):
    """A copy of the embedded data whose enterprises include hostile names."""
    src = Path(str(resources.files("chainkg") / "data" / "liangping"))
    dest = Path(root) / "hostile"
    shutil.copytree(src, dest)
    with open(dest / "enterprises.csv", "a", encoding="utf-8") as f:
        f.write("\n".join(HOSTILE_ROWS) + "\n")
    with open(dest / "sources.csv", "a", encoding="utf-8") as f:
        f.write('test-hostile,"Hostile names for tests",,,2025,,test rows,mentions,,\n')
    return dest
