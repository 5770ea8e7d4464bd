"""Errors of the volume service, named and worded as Cinder's.

Clients print the fault's ``message``; Tempest and scripts match some of
them, so the wording is Cinder's.  Over-quota errors are 413 (``overLimit``)
as in Cinder, not 403 as in Nova.
"""
from common import exceptions


class VolumeNotFound(exceptions.NotFound):
    msg_fmt = 'Volume %(volume_id)s could not be found.'


class SnapshotNotFound(exceptions.NotFound):
    msg_fmt = 'Snapshot %(snapshot_id)s could not be found.'


class VolumeMetadataNotFound(exceptions.NotFound):
    msg_fmt = 'Volume %(volume_id)s has no metadata with key %(metadata_key)s.'


class VolumeTypeNotFound(exceptions.NotFound):
    msg_fmt = 'Volume type %(volume_type_id)s could not be found.'


class VolumeTypeNotFoundByName(VolumeTypeNotFound):
    msg_fmt = 'Volume type with name %(volume_type_name)s could not be found.'


class DefaultVolumeTypeNotFound(exceptions.NotFound):
    msg_fmt = 'Default volume type can not be found.'


class VolumeTypeExtraSpecsNotFound(exceptions.NotFound):
    msg_fmt = 'Volume Type %(volume_type_id)s has no extra specs with key %(extra_specs_key)s.'


class VolumeTypeAccessNotFound(exceptions.NotFound):
    msg_fmt = 'Volume type access not found for %(volume_type_id)s / %(project_id)s combination.'


class VolumeTypeAccessListOfPublicType(exceptions.NotFound):
    msg_fmt = 'Access list not available for public volume types.'


class ServiceNotFound(exceptions.NotFound):
    msg_fmt = 'Service %(binary)s on host %(host)s could not be found.'


class VolumeTypeExists(exceptions.Conflict):
    msg_fmt = 'Volume Type %(id)s already exists.'


class VolumeTypeAccessExists(exceptions.Conflict):
    msg_fmt = ('Volume type access for %(volume_type_id)s / %(project_id)s combination '
               'already exists.')


class ConcurrentUpdate(exceptions.Conflict):
    msg_fmt = 'The %(what)s was changed by another request at the same time; try again.'


class InvalidVolumeType(exceptions.BadRequest):
    msg_fmt = 'Invalid volume type: %(reason)s'


class InvalidInput(exceptions.BadRequest):
    msg_fmt = 'Invalid input received: %(reason)s'


class InvalidVolume(exceptions.BadRequest):
    msg_fmt = 'Invalid volume: %(reason)s'


class InvalidSnapshot(exceptions.BadRequest):
    msg_fmt = 'Invalid snapshot: %(reason)s'


class InvalidAvailabilityZone(exceptions.BadRequest):
    msg_fmt = "Availability zone '%(az)s' is invalid."


class InvalidVolumeMetadata(exceptions.BadRequest):
    msg_fmt = 'Invalid metadata: %(reason)s'


class VolumeTypeInUse(exceptions.BadRequest):
    msg_fmt = 'Target volume type is still in use.'


class VolumeTypeDefaultDeletionError(exceptions.BadRequest):
    msg_fmt = 'The volume type %(volume_type_id)s is a default volume type and cannot be deleted.'


class QuotaBelowUsage(exceptions.BadRequest):
    msg_fmt = ('Quota %(key)s limit must be equal or greater than existing resources. '
               'Current usage is %(usage)s and the requested limit is %(limit)s.')


class ProjectMismatch(exceptions.Forbidden):
    msg_fmt = ("The project %(url_project_id)s in the URL is not the project of the token; "
               'only a cloud administrator may name another project there.')


class QuotaError(exceptions.StratusError):
    """A request would take more than a quota allows (Cinder answers 413)."""
    code = 413
    title = 'Request Entity Too Large'
    msg_fmt = 'Quota exceeded: code=%(code)s'


class VolumeSizeExceedsAvailableQuota(QuotaError):
    msg_fmt = ('Requested volume or snapshot exceeds allowed %(name)s quota. Requested '
               '%(requested)sG, quota is %(quota)sG and %(consumed)sG has been consumed.')


class VolumeBackupSizeExceedsAvailableQuota(QuotaError):
    msg_fmt = ('Requested backup exceeds allowed Backup gigabytes quota. Requested '
               '%(requested)sG, quota is %(quota)sG and %(consumed)sG has been consumed.')


class VolumeSizeExceedsLimit(QuotaError):
    msg_fmt = 'Requested volume size %(size)dG is larger than maximum allowed limit %(limit)dG.'


class VolumeLimitExceeded(QuotaError):
    msg_fmt = "Maximum number of volumes allowed (%(allowed)d) exceeded for quota '%(name)s'."


class SnapshotLimitExceeded(QuotaError):
    msg_fmt = 'Maximum number of snapshots allowed (%(allowed)d) exceeded'


class BackupLimitExceeded(QuotaError):
    msg_fmt = 'Maximum number of backups allowed (%(allowed)d) exceeded'
