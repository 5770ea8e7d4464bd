"""The binary names volume service records carry.

``os-services`` shows them and clients filter on them (Tempest looks for
``cinder-volume`` and ``cinder-backup`` to find backends), so the records
use Cinder's names rather than the processes' (``stratus-volume-agent``).
A backend's agent records itself under host ``<host>@<backend>``.
"""
CONDUCTOR_BINARY = 'cinder-scheduler'
AGENT_BINARY = 'cinder-volume'
BACKUP_BINARY = 'cinder-backup'
