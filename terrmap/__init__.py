"""terrmap: offline desktop GIS for sales territory mapping."""

__version__ = "0.1.0"
