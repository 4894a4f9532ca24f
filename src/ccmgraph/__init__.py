"""ccmgraph: a knowledge graph of the Convention on Cluster Munitions' implementation work."""

__version__ = "0.1.0"
