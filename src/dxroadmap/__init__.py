"""dxroadmap: roadmaps of a DX promotion plan kept as YAML files, judged and reported."""

__version__ = "0.1.0"
