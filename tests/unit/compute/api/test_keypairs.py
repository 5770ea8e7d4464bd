"""Key pairs through the API: import, generation, versions and per-user isolation."""
import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from compute import keypairs

BASE = '/v2.1/os-keypairs'


def ssh_public_key():
    key = ed25519.Ed25519PrivateKey.generate()
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode()


def md5_fingerprint(public_key):
    digest = hashlib.md5(base64.b64decode(public_key.split()[1])).hexdigest()
    return ':'.join(digest[i:i + 2] for i in range(0, 32, 2))


def create(api, name='key', version='2.60', as_='member', **fields):
    return api.post(BASE, {'keypair': {'name': name, **fields}}, version=version, as_=as_)


class TestCreate:

    def test_import_at_2_1_is_200_without_type(self, api):
        public = ssh_public_key()
        response = create(api, version=None, public_key=public)
        assert response.status_code == 200
        assert response.json == {'keypair': {
            'name': 'key', 'public_key': public, 'fingerprint': md5_fingerprint(public),
            'user_id': 'user-member'}}

    def test_import_at_2_2_is_201_with_type(self, api):
        response = create(api, version='2.2', public_key=ssh_public_key())
        assert response.status_code == 201
        assert response.json['keypair']['type'] == 'ssh'

    def test_generated_key_returns_the_private_half_once(self, api):
        response = create(api)
        keypair = response.json['keypair']
        private = serialization.load_pem_private_key(keypair['private_key'].encode(), None)
        public = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                   serialization.PublicFormat.OpenSSH).decode()
        assert keypair['public_key'].startswith(public)
        assert keypair['fingerprint'] == md5_fingerprint(keypair['public_key'])
        assert 'private_key' not in api.get(f'{BASE}/key', version='2.60').json['keypair']

    def test_x509_import_and_generation(self, api):
        generated = create(api, name='cert', type='x509').json['keypair']
        assert generated['type'] == 'x509'
        assert '-----BEGIN CERTIFICATE-----' in generated['public_key']
        assert len(generated['fingerprint'].split(':')) == 20
        imported = create(api, name='cert2', type='x509', public_key=generated['public_key'])
        assert imported.status_code == 201
        assert imported.json['keypair']['fingerprint'] == generated['fingerprint']

    @pytest.mark.parametrize('fields', [
        {'public_key': 'ssh-rsa not-base64'}, {'public_key': 'garbage'},
        {'public_key': ''}, {'type': 'x509', 'public_key': 'not a cert'},
        {'type': 'pgp'}, {'name': ''}, {'name': 'k' * 256}, {'name': 'key_/.\\@:'},
        {'name': ' lead'}, {'extra': 1}])
    def test_invalid_requests_are_400(self, api, fields):
        response = create(api, **{'name': 'key', **fields})
        assert response.status_code == 400
        assert 'badRequest' in response.json

    def test_type_is_unknown_at_2_1_and_user_id_before_2_10(self, api):
        assert create(api, version=None, type='ssh').status_code == 400
        assert create(api, version='2.9', user_id='user-member').status_code == 400

    def test_duplicate_name_is_409_but_other_users_may_reuse_it(self, api):
        public = ssh_public_key()
        assert create(api, public_key=public).status_code == 201
        duplicate = create(api, public_key=public)
        assert duplicate.status_code == 409
        assert duplicate.json['conflictingRequest']['message'] == \
            "Key pair 'key' already exists."
        assert create(api, public_key=public, as_='reader').status_code == 201

    def test_admin_creates_for_another_user_at_2_10(self, api):
        response = create(api, user_id='user-member', public_key=ssh_public_key(),
                          as_='cloud_admin')
        assert response.status_code == 201
        assert response.json['keypair']['user_id'] == 'user-member'
        assert api.get(f'{BASE}/key', version='2.60').status_code == 200

    def test_member_cannot_create_for_another_user(self, api):
        response = create(api, user_id='user-other_member', public_key=ssh_public_key())
        assert response.status_code == 403

    def test_quota_counts_per_user(self, make_env):
        api = make_env(quota__key_pairs=1).api
        assert create(api, name='a', public_key=ssh_public_key()).status_code == 201
        over = create(api, name='b', public_key=ssh_public_key())
        assert over.status_code == 403
        assert over.json['forbidden']['message'] == 'Quota exceeded, too many key pairs.'
        assert create(api, name='b', public_key=ssh_public_key(),
                      as_='other_member').status_code == 201


class TestReadDelete:

    def test_list_items_have_no_user_id_at_2_1(self, api):
        create(api, public_key=ssh_public_key())
        (item,) = api.get(BASE).json['keypairs']
        assert set(item['keypair']) == {'name', 'public_key', 'fingerprint'}
        (item,) = api.get(BASE, version='2.2').json['keypairs']
        assert set(item['keypair']) == {'name', 'public_key', 'fingerprint', 'type'}

    def test_show_shape(self, api):
        create(api, public_key=ssh_public_key())
        shown = api.get(f'{BASE}/key').json['keypair']
        assert set(shown) == {'name', 'public_key', 'fingerprint', 'user_id', 'id',
                              'created_at', 'updated_at', 'deleted', 'deleted_at'}
        assert shown['deleted'] is False

    def test_another_users_key_pair_is_404_and_unlisted(self, api):
        create(api, public_key=ssh_public_key())
        assert api.get(f'{BASE}/key', as_='other_member').status_code == 404
        assert api.get(f'{BASE}/key', as_='reader').status_code == 404
        assert api.get(BASE, as_='other_member').json['keypairs'] == []
        assert api.delete(f'{BASE}/key', as_='other_member').status_code == 404

    def test_user_id_query_is_for_admins_from_2_10(self, api):
        create(api, public_key=ssh_public_key())
        query = f'{BASE}?user_id=user-member'
        assert len(api.get(query, as_='cloud_admin', version='2.10').json['keypairs']) == 1
        # Before 2.10 the parameter means nothing: the admin's own (none).
        assert api.get(query, as_='cloud_admin', version='2.9').json['keypairs'] == []
        assert api.get(query, as_='other_member', version='2.10').status_code == 403
        shown = api.get(f'{BASE}/key?user_id=user-member', as_='cloud_admin', version='2.10')
        assert shown.status_code == 200

    def test_paging_from_2_35(self, api):
        for name in ('a', 'b', 'c'):
            create(api, name=name, public_key=ssh_public_key())
        page = api.get(f'{BASE}?limit=2', version='2.35').json
        assert [k['keypair']['name'] for k in page['keypairs']] == ['a', 'b']
        assert 'marker=b' in page['keypairs_links'][0]['href']
        rest = api.get(f'{BASE}?limit=2&marker=b', version='2.35').json
        assert [k['keypair']['name'] for k in rest['keypairs']] == ['c']
        assert len(api.get(f'{BASE}?limit=2', version='2.34').json['keypairs']) == 3
        assert api.get(f'{BASE}?marker=zz', version='2.35').status_code == 400

    @pytest.mark.parametrize('version,status', [(None, 202), ('2.2', 204)])
    def test_delete_status_follows_the_version(self, api, version, status):
        create(api, public_key=ssh_public_key())
        assert api.delete(f'{BASE}/key', version=version).status_code == status
        assert api.get(f'{BASE}/key').status_code == 404


def test_get_for_user_finds_only_that_users_key(env, api):
    create(api, public_key=ssh_public_key())
    with env.db.reader() as session:
        assert keypairs.get_for_user(session, 'user-member', 'key').name == 'key'
        assert keypairs.get_for_user(session, 'user-other_member', 'key') is None
