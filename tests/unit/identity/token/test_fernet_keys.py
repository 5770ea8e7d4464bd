"""The Fernet key repository (``identity/token/fernet_keys.py``)."""
import datetime
import os

import pytest
from cryptography import fernet

from identity.token import fernet_keys
from identity.token import formatter
from identity.token.model import TokenPayload


def _files(repo):
    return sorted(int(name) for name in os.listdir(repo) if name.isdigit())


def _read(repo, index):
    with open(os.path.join(repo, str(index)), 'rb') as handle:
        return handle.read()


def _payload():
    now = datetime.datetime(2026, 1, 1)
    return TokenPayload(user_id='a' * 32, methods=['password'], issued_at=now,
                        expires_at=now + datetime.timedelta(hours=1),
                        audit_ids=[formatter.new_audit_id()])


@pytest.fixture
def repo(tmp_path):
    path = str(tmp_path / 'fernet-keys')
    assert fernet_keys.setup(path)
    return path


def test_setup_makes_a_staged_and_a_primary_key(repo):
    assert _files(repo) == [0, 1]
    assert os.stat(repo).st_mode & 0o777 == 0o700
    for index in (0, 1):
        assert os.stat(os.path.join(repo, str(index))).st_mode & 0o777 == 0o600
        fernet.Fernet(_read(repo, index))  # a valid key


def test_setup_keeps_existing_keys(repo):
    before = {i: _read(repo, i) for i in _files(repo)}
    assert not fernet_keys.setup(repo)
    assert {i: _read(repo, i) for i in _files(repo)} == before


def test_rotate_promotes_the_staged_key(repo):
    staged = _read(repo, 0)
    assert fernet_keys.rotate(repo, max_active_keys=3) == 2
    assert _files(repo) == [0, 1, 2]
    assert _read(repo, 2) == staged
    assert _read(repo, 0) != staged


@pytest.mark.parametrize('max_active_keys', [2, 3, 5])
def test_rotate_keeps_max_active_keys(repo, max_active_keys):
    for _ in range(6):
        primary = fernet_keys.rotate(repo, max_active_keys)
    files = _files(repo)
    assert len(files) == max_active_keys
    assert files[0] == 0 and files[-1] == primary == 7
    # The survivors are the newest: staged, primary and the latest secondaries.
    assert files[1:] == list(range(8 - (max_active_keys - 1), 8))


def test_load_orders_primary_first_and_staged_last(repo):
    fernet_keys.rotate(repo, 3)
    assert fernet_keys.load(repo) == [_read(repo, 2), _read(repo, 1), _read(repo, 0)]


def test_load_refuses_a_missing_or_thin_repository(tmp_path):
    with pytest.raises(RuntimeError, match='does not exist'):
        fernet_keys.load(str(tmp_path / 'nowhere'))
    thin = tmp_path / 'thin'
    thin.mkdir()
    (thin / '0').write_bytes(fernet.Fernet.generate_key())
    with pytest.raises(RuntimeError, match='at least two keys'):
        fernet_keys.load(str(thin))


def test_rotate_without_staged_key_refuses(tmp_path):
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(RuntimeError, match='no staged key'):
        fernet_keys.rotate(str(empty), 3)


def test_tokens_survive_rotations_until_their_key_is_dropped(repo):
    payload = _payload()
    token = formatter.pack(payload, fernet_keys.KeyRing(repo).crypto())  # signed by key 1
    fernet_keys.rotate(repo, 3)  # 1 is now a secondary
    assert formatter.unpack(token, fernet_keys.KeyRing(repo).crypto()) == payload
    fernet_keys.rotate(repo, 3)  # 1 is dropped
    with pytest.raises(formatter.MalformedToken):
        formatter.unpack(token, fernet_keys.KeyRing(repo).crypto())


def test_staged_key_already_decrypts(repo):
    """A host that rotated first signs with what every other host has staged."""
    other_host = fernet_keys.KeyRing(repo)
    other_host.crypto()
    token = formatter.pack(_payload(), fernet.MultiFernet([fernet.Fernet(_read(repo, 0))]))
    formatter.unpack(token, other_host.crypto())


def test_keyring_picks_up_a_new_primary_without_restart(repo):
    keyring = fernet_keys.KeyRing(repo)
    keyring.crypto()
    new_primary = fernet_keys.rotate(repo, 3)
    token = formatter.pack(_payload(), keyring.crypto())
    # Signed with the new primary alone.
    only_primary = fernet.MultiFernet([fernet.Fernet(_read(repo, new_primary))])
    formatter.unpack(token, only_primary)


def test_keyring_drops_rotated_out_keys_without_restart(repo):
    keyring = fernet_keys.KeyRing(repo)
    token = formatter.pack(_payload(), keyring.crypto())
    fernet_keys.rotate(repo, 2)  # 2 active keys: staged + primary; key 1 goes
    with pytest.raises(formatter.MalformedToken):
        formatter.unpack(token, keyring.crypto())


def test_running_service_follows_rotations(fresh_env):
    """The API keeps working across rotations, and drops tokens of rotated-out keys."""
    api, repo = fresh_env.api, fresh_env.key_repository
    old = fresh_env.admin_token()
    fernet_keys.rotate(repo, 3)
    newer = fresh_env.admin_token()  # signed by the new primary, without a restart
    headers = {'X-Subject-Token': old}
    assert api.get('/v3/auth/tokens', token=newer, headers=headers).status_code == 200
    fernet_keys.rotate(repo, 3)
    assert api.get('/v3/auth/tokens', token=newer, headers=headers).status_code == 404
    assert api.get('/v3/auth/projects', token=old).status_code == 401
    assert api.get('/v3/auth/projects', token=newer).status_code == 200


def test_load_reads_again_when_a_rotation_moves_keys_meanwhile(repo, monkeypatch):
    """The listing may name a key that a concurrent rotation has just removed."""
    fernet_keys.rotate(repo, 2)  # key 1 is dropped, 2 is primary
    real_listdir = os.listdir
    stale = iter([['0', '1', '2']])  # what a listing taken before the rotation saw
    monkeypatch.setattr(os, 'listdir',
                        lambda path: next(stale, None) or real_listdir(path))
    assert fernet_keys.load(repo) == [_read(repo, 2), _read(repo, 0)]


def test_keyring_of_a_missing_repository_says_how_to_make_it(tmp_path):
    with pytest.raises(RuntimeError, match='fernet-setup'):
        fernet_keys.KeyRing(str(tmp_path / 'nowhere')).crypto()
