"""Instance metadata as Nova publishes it, for test guests.

The OpenStack layout (``openstack/latest/meta_data.json`` and
``openstack/latest/user_data``) written to a directory, served as is by the
test metadata server, or packed into a config drive: an ISO 9660 image
labelled ``config-2`` made with genisoimage, as Nova makes it.
"""
import json
import os
import subprocess
import uuid


def meta_data(hostname, public_keys):
    """A meta_data.json document as Nova writes it (one line, ``", "`` and ``": "``)."""
    instance_id = str(uuid.uuid4())
    return {
        'uuid': instance_id, 'meta': {}, 'hostname': hostname, 'name': hostname,
        'launch_index': 0, 'availability_zone': 'nova', 'project_id': uuid.uuid4().hex,
        'public_keys': public_keys,
        'keys': [{'name': name, 'type': 'ssh', 'data': key}
                 for name, key in public_keys.items()],
        'random_seed': 'c2VlZA==', 'devices': [], 'dedicated_cpus': [],
    }


def write_tree(root, meta, user_data=None):
    """Write ``openstack/latest/`` under ``root``; return ``root``."""
    latest = os.path.join(root, 'openstack', 'latest')
    os.makedirs(latest)
    with open(os.path.join(latest, 'meta_data.json'), 'w') as f:
        json.dump(meta, f)
    if user_data is not None:
        with open(os.path.join(latest, 'user_data'), 'w') as f:
            f.write(user_data)
    return root


def make_config_drive(path, meta, user_data=None):
    """A config drive ISO at ``path`` holding ``meta`` and ``user_data``; return ``path``."""
    tree = write_tree(f'{path}.tree', meta, user_data)
    subprocess.run(['genisoimage', '-quiet', '-o', path, '-V', 'config-2', '-r', '-J',
                    '-l', tree], check=True, capture_output=True)
    return path
