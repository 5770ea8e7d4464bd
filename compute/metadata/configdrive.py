"""The config drive: an instance's metadata on an ISO9660 disk labelled ``config-2``.

The layout is Nova's, so cloud-init's ConfigDrive source and the guest
image's init read it: ``openstack/<version>/`` for every OpenStack version
and ``latest`` (``meta_data.json``, ``user_data``, ``vendor_data.json``,
``network_data.json``, ``vendor_data2.json``, as each version has them),
and ``ec2/<version>/meta-data.json`` (plus ``user-data``) for the EC2
versions Nova puts on a drive (``2009-04-04`` and ``latest``; Nova's
``config_drive_skip_versions`` leaves out the older ones).  The image is
made by ``genisoimage`` with Rock Ridge and Joliet names, as Nova makes it.
"""
import json
import logging
import os
import subprocess
import tempfile

from compute.metadata import content

LOG = logging.getLogger(__name__)

VOLUME_LABEL = 'config-2'
PUBLISHER = 'Stratus Compute'
EC2_DRIVE_VERSIONS = ('2009-04-04', content.LATEST)


class ConfigDriveError(RuntimeError):
    """``genisoimage`` could not make the image."""


def _json(data):
    return json.dumps(data).encode()


def drive_files(metadata):
    """``(relative path, bytes)`` of every file on the drive of ``metadata``."""
    for version in (*content.OPENSTACK_VERSIONS, content.LATEST):
        for name in metadata.openstack_files(version):
            path = f'openstack/{version}/{name}'
            if name == content.META_DATA_JSON:
                yield path, _json(metadata.meta_data(version))
            elif name == content.USER_DATA:
                yield path, metadata.user_data
            elif name == content.NETWORK_DATA_JSON:
                yield path, _json(metadata.network_data())
            else:
                yield path, _json(metadata.vendor_data())
    for version in EC2_DRIVE_VERSIONS:
        yield f'ec2/{version}/meta-data.json', _json(metadata.ec2_meta_data(version))
        if metadata.user_data is not None:
            yield f'ec2/{version}/user-data', metadata.user_data


def build_config_drive(path, instance, network_info):
    """Write the config drive of ``instance`` to ``path`` (replacing any file there).

    :param instance: an ``InstancePayload`` (``compute.rpcapi``).
    :param network_info: its ports (``compute.network.network_info``).
    :raises ConfigDriveError: the image could not be made; no file is left at ``path``.
    """
    metadata = content.InstanceMetadata(instance, network_info)
    with tempfile.TemporaryDirectory(prefix='stratus-configdrive-') as tree:
        for relative, data in drive_files(metadata):
            target = os.path.join(tree, relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, 'wb') as f:
                f.write(data)
        command = ['genisoimage', '-o', path, '-ldots', '-allow-lowercase', '-allow-multidot',
                   '-l', '-publisher', PUBLISHER, '-quiet', '-J', '-r', '-V', VOLUME_LABEL,
                   tree]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            if os.path.exists(path):
                os.unlink(path)
            detail = getattr(exc, 'stderr', None) or str(exc)
            raise ConfigDriveError(f'genisoimage failed for instance {instance["uuid"]}: '
                                   f'{detail.strip()}') from exc
    LOG.info('Built config drive %s for instance %s', path, instance['uuid'])
