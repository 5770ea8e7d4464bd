"""The Stratus SDK: ``conn = stratus.connect(cloud='mycloud')``, then ``conn.identity`` …

See ``stratus.connection`` for connections and ``stratus.config`` for where
settings come from; errors are in ``stratus.exceptions``.
"""
from stratus.connection import Connection, connect

__all__ = ['Connection', 'connect']
