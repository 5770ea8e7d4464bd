"""The volume agent (``stratus-volume-agent``): one per backend host, no database.

It carries out the conductor's requests on its backend through a
``VolumeDriver`` (``drivers/``) and reports through the conductor.
"""
