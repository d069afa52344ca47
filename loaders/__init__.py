"""Loaders: chain templates (YAML), fact tables (CSV/XLSX/Parquet) and data directories."""

from chainkg.loaders.cache import LoadCache
from chainkg.loaders.datadir import embedded_data_dir, input_files, load, read_data_dir, validate
from chainkg.loaders.report import Problem, Report
from chainkg.loaders.tables import read_table
from chainkg.loaders.template import load_chain_template
from chainkg.loaders.ckg import import_ckg, read_ckg
from chainkg.loaders.importing import ImportResult, write_data_dir
from chainkg.loaders.mapping import import_mapped_tables, read_mapped_tables
from chainkg.loaders.regions_infer import RegionGuess, infer_region, infer_regions
from chainkg.loaders.text import Extraction, extract, extract_file

__all__ = ["load", "validate", "read_data_dir", "input_files", "LoadCache", "embedded_data_dir", "Problem", "Report",
           "read_table", "load_chain_template", "read_ckg", "import_ckg", "ImportResult",
           "write_data_dir", "read_mapped_tables", "import_mapped_tables", "RegionGuess",
           "infer_region", "infer_regions", "Extraction", "extract", "extract_file"]
