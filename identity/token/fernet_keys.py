"""The Fernet key repository: a directory of numbered key files.

Key ``0`` is *staged*: it already decrypts, so every API process has it
before it starts signing.  The highest number is the *primary*, which signs
new tokens.  Keys in between are *secondaries*, kept only to decrypt tokens
signed before the last rotations.  ``rotate`` promotes the staged key to
primary, stages a new key 0 and drops the oldest secondaries beyond
``max_active_keys``, the same scheme as keystone-manage fernet_rotate, so
that rotating on one host and copying the directory to others is safe.
"""
import logging
import os
import tempfile

from cryptography import fernet

LOG = logging.getLogger(__name__)


def _key_files(repo):
    keys = {}
    for name in os.listdir(repo):
        if name.isdigit():
            keys[int(name)] = os.path.join(repo, name)
    return keys


def _write_key(repo, index, key):
    fd, tmp = tempfile.mkstemp(dir=repo, prefix='.tmp-')
    with os.fdopen(fd, 'wb') as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    owner = os.stat(repo)
    if os.geteuid() == 0 and owner.st_uid != 0:
        # Rotated by root, read by the services' user: the key must be theirs.
        os.chown(tmp, owner.st_uid, owner.st_gid)
    os.replace(tmp, os.path.join(repo, str(index)))


def setup(repo):
    """Create the repository with a staged and a primary key, unless it has keys.

    :returns: True when keys were created.
    """
    os.makedirs(repo, mode=0o700, exist_ok=True)
    if _key_files(repo):
        return False
    _write_key(repo, 0, fernet.Fernet.generate_key())
    rotate(repo, max_active_keys=3)
    return True


def rotate(repo, max_active_keys):
    """Promote the staged key, stage a new one, drop the oldest secondaries."""
    if not os.path.isdir(repo):
        raise RuntimeError(f'Fernet key repository {repo} does not exist; run '
                           '"stratus-manage identity fernet-setup"')
    keys = _key_files(repo)
    if 0 not in keys:
        raise RuntimeError(f'{repo} has no staged key 0; run fernet-setup first')
    new_primary = max(keys) + 1
    os.replace(keys.pop(0), os.path.join(repo, str(new_primary)))
    keys[new_primary] = os.path.join(repo, str(new_primary))
    _write_key(repo, 0, fernet.Fernet.generate_key())
    # Staged + primary + (max_active_keys - 2) secondaries.
    secondaries = sorted(k for k in keys if k != new_primary)
    excess = len(secondaries) - (max_active_keys - 2)
    for index in secondaries[:max(0, excess)]:
        os.remove(keys[index])
        LOG.info('Removed Fernet key %s', index)
    LOG.info('Fernet key %s is now primary', new_primary)
    return new_primary


def _read_keys(paths):
    result = []
    for path in paths:
        with open(path, 'rb') as handle:
            result.append(handle.read().strip())
    return result


def load(repo, attempts=5):
    """The keys in use order: primary first, then secondaries, then staged.

    A rotation (on this host, or a copy from another) may rename or remove a
    key between the listing and the reading: the listing is then taken again.
    """
    if not os.path.isdir(repo):
        raise RuntimeError(f'Fernet key repository {repo} does not exist; run '
                           '"stratus-manage identity fernet-setup"')
    for _attempt in range(attempts):
        keys = _key_files(repo)
        if len(keys) < 2:
            raise RuntimeError(f'Fernet key repository {repo} needs at least two keys')
        ordered = [keys[max(keys)]] + [keys[i] for i in sorted(keys, reverse=True)[1:]]
        try:
            return _read_keys(ordered)
        except FileNotFoundError:
            LOG.debug('A Fernet key in %s moved while it was read; reading again', repo)
    raise RuntimeError(f'Fernet key repository {repo} kept changing while it was read')


class KeyRing:
    """The repository's keys as a ``MultiFernet``, re-read when it changes.

    A rotation on disk is noticed by the directory's modification time, so
    running API processes pick up new keys without a restart.
    """

    def __init__(self, repo):
        self.repo = repo
        self._mtime = None
        self._crypto = None

    def crypto(self):
        try:
            mtime = os.stat(self.repo).st_mtime_ns
        except FileNotFoundError:
            mtime = None  # load() says what to do about it
        if self._crypto is None or mtime != self._mtime:
            self._crypto = fernet.MultiFernet([fernet.Fernet(k) for k in load(self.repo)])
            self._mtime = mtime
        return self._crypto
