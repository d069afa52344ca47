"""Loaders: chain templates (YAML), fact tables (CSV/XLSX/Parquet) and data directories."""

from chainkg.loaders.datadir import embedded_data_dir, load, read_data_dir, validate
from chainkg.loaders.report import Problem, Report
from chainkg.loaders.tables import read_table
from chainkg.loaders.template import load_chain_template

__all__ = ["load", "validate", "read_data_dir", "embedded_data_dir", "Problem", "Report",
           "read_table", "load_chain_template"]
