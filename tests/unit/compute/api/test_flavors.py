"""Flavors, their extra specs and private access through the API."""
import pytest

from common import exceptions
from compute import flavors
from compute.db import models
from tests.unit.image.fixtures import OTHER_PROJECT, PROJECT

BASE = '/v2.1/flavors'
OSC_BODY = {'name': 'm1.tiny', 'ram': 512, 'vcpus': 1, 'disk': 1, 'swap': 0,
            'OS-FLV-EXT-DATA:ephemeral': 0, 'os-flavor-access:is_public': True, 'id': None,
            'description': None}


def create(api, version='2.60', **fields):
    body = {'name': 'm1.small', 'ram': 2048, 'vcpus': 1, 'disk': 20, **fields}
    response = api.post(BASE, {'flavor': body}, as_='cloud_admin', version=version)
    assert response.status_code == 200, response.json
    return response.json['flavor']


def private(api, name='secret', **fields):
    return create(api, name=name, **{'os-flavor-access:is_public': False, **fields})


class TestCreate:

    def test_osc_body_with_nulls_gets_200_and_a_uuid(self, api):
        response = api.post(BASE, {'flavor': OSC_BODY}, as_='cloud_admin', version='2.60')
        assert response.status_code == 200
        flavor = response.json['flavor']
        assert len(flavor['id']) == 36
        assert flavor['swap'] == ''
        assert flavor['description'] is None
        assert flavor['os-flavor-access:is_public'] is True
        assert flavor['OS-FLV-DISABLED:disabled'] is False
        assert flavor['rxtx_factor'] == 1.0
        assert flavor['links'][0]['href'].endswith(f'/v2.1/flavors/{flavor["id"]}')

    def test_given_id_numbers_and_digit_strings(self, api):
        flavor = create(api, id=42, ram='1024', swap=512, rxtx_factor='2.5')
        assert (flavor['id'], flavor['ram'], flavor['swap'], flavor['rxtx_factor']) == \
            ('42', 1024, 512, 2.5)

    def test_description_from_2_55_only(self, api):
        assert create(api, description='small one')['description'] == 'small one'
        response = api.post(BASE, {'flavor': {**OSC_BODY, 'description': 'x'}},
                            as_='cloud_admin', version='2.54')
        assert response.status_code == 400
        assert 'description' not in create(api, name='m1.nodesc', version='2.1')

    @pytest.mark.parametrize('field,value', [
        ('ram', 0), ('vcpus', 0), ('disk', -1), ('ram', 'lots'), ('name', ' padded'),
        ('name', ''), ('swap', -1), ('rxtx_factor', 0), ('ram', 2 ** 31), ('ram', '99999999999'),
        ('id', 'bad/id'), ('bogus', 1), ('os-flavor-access:is_public', 'maybe')])
    def test_invalid_fields_are_400(self, api, field, value):
        body = {'name': 'x', 'ram': 1, 'vcpus': 1, 'disk': 1, field: value}
        response = api.post(BASE, {'flavor': body}, as_='cloud_admin', version='2.60')
        assert response.status_code == 400
        assert 'badRequest' in response.json

    def test_missing_ram_is_400(self, api):
        response = api.post(BASE, {'flavor': {'name': 'x', 'vcpus': 1, 'disk': 1}},
                            as_='cloud_admin')
        assert response.status_code == 400

    def test_duplicate_name_or_id_is_409(self, api):
        create(api, id='dup')
        by_name = api.post(BASE, {'flavor': {**OSC_BODY, 'name': 'm1.small'}},
                           as_='cloud_admin')
        assert by_name.status_code == 409
        assert by_name.json['conflictingRequest']['message'] == \
            'Flavor with name m1.small already exists.'
        by_id = api.post(BASE, {'flavor': {**OSC_BODY, 'id': 'dup'}}, as_='cloud_admin')
        assert by_id.status_code == 409

    @pytest.mark.parametrize('persona', ['member', 'project_admin', 'reader'])
    def test_only_cloud_admins_create(self, api, persona):
        response = api.post(BASE, {'flavor': OSC_BODY}, as_=persona)
        assert response.status_code == 403


class TestRead:

    def test_list_and_detail_shapes(self, api):
        created = create(api)
        (summary,) = api.get(BASE, version='2.60').json['flavors']
        assert set(summary) == {'id', 'name', 'links', 'description'}
        (detail,) = api.get(f'{BASE}/detail').json['flavors']
        assert detail['ram'] == 2048 and 'description' not in detail
        assert api.get(f'{BASE}/{created["id"]}').json['flavor']['name'] == 'm1.small'

    def test_unknown_flavor_is_404(self, api):
        response = api.get(f'{BASE}/m1.nothing')
        assert response.status_code == 404
        assert response.json['itemNotFound']['message'] == \
            'Flavor m1.nothing could not be found.'

    def test_private_flavor_is_hidden_from_other_projects(self, api):
        flavor = private(api)
        add = api.post(f'{BASE}/{flavor["id"]}/action',
                       {'addTenantAccess': {'tenant': PROJECT}}, as_='cloud_admin')
        assert add.status_code == 200
        assert api.get(f'{BASE}/{flavor["id"]}', as_='member').status_code == 200
        assert api.get(f'{BASE}/{flavor["id"]}', as_='other_member').status_code == 404
        mine = [f['name'] for f in api.get(f'{BASE}/detail', as_='member').json['flavors']]
        theirs = [f['name'] for f in
                  api.get(f'{BASE}/detail?is_public=None', as_='other_member').json['flavors']]
        assert mine == ['secret'] and theirs == []

    def test_is_public_filter_for_admins(self, api):
        create(api, name='pub')
        private(api, name='priv')
        names = {q: sorted(f['name'] for f in
                           api.get(f'{BASE}?is_public={q}', as_='cloud_admin').json['flavors'])
                 for q in ('True', 'False', 'None')}
        assert names == {'True': ['pub'], 'False': ['priv'], 'None': ['priv', 'pub']}
        assert api.get(f'{BASE}?is_public=maybe', as_='cloud_admin').status_code == 400
        # Non-admins cannot choose: the parameter is ignored, as in Nova.
        assert [f['name'] for f in api.get(f'{BASE}?is_public=False').json['flavors']] == ['pub']

    def test_disabled_flavors_are_for_admins_only(self, env, api):
        create(api, name='old')
        with env.db.writer() as session:
            session.query(models.Flavor).update({'disabled': True})
        assert api.get(BASE, as_='member').json['flavors'] == []
        assert len(api.get(BASE, as_='cloud_admin').json['flavors']) == 1

    def test_min_ram_min_disk_and_sorting(self, api):
        for i, (ram, disk) in enumerate([(512, 1), (2048, 20), (4096, 40)]):
            create(api, name=f'f{i}', id=str(i), ram=ram, disk=disk)
        names = [f['name'] for f in api.get(f'{BASE}?minRam=1024&minDisk=30').json['flavors']]
        assert names == ['f2']
        desc = [f['name'] for f in api.get(f'{BASE}?sort_key=memory_mb&sort_dir=desc')
                .json['flavors']]
        assert desc == ['f2', 'f1', 'f0']
        assert api.get(f'{BASE}?minRam=x').status_code == 400
        assert api.get(f'{BASE}?sort_key=nope').status_code == 400

    def test_marker_and_limit_with_next_link(self, api):
        for i in range(3):
            create(api, name=f'f{i}', id=f'id{i}')
        page = api.get(f'{BASE}?limit=2').json
        assert [f['id'] for f in page['flavors']] == ['id0', 'id1']
        (link,) = page['flavors_links']
        assert link['rel'] == 'next' and 'marker=id1' in link['href']
        rest = api.get(f'{BASE}?limit=2&marker=id1').json
        assert [f['id'] for f in rest['flavors']] == ['id2']
        assert 'flavors_links' not in rest
        assert api.get(f'{BASE}?marker=nope').status_code == 400


class TestUpdateDelete:

    def test_description_update_needs_2_55(self, api):
        flavor = create(api)
        path = f'{BASE}/{flavor["id"]}'
        body = {'flavor': {'description': 'new'}}
        assert api.put(path, body, as_='cloud_admin', version='2.54').status_code == 404
        response = api.put(path, body, as_='cloud_admin', version='2.55')
        assert response.status_code == 200
        assert response.json['flavor']['description'] == 'new'
        assert api.put(path, {'flavor': {'name': 'x'}}, as_='cloud_admin',
                       version='2.55').status_code == 400
        assert api.put(path, body, as_='member', version='2.55').status_code == 403

    def test_delete_is_202_then_404(self, api):
        flavor = create(api)
        path = f'{BASE}/{flavor["id"]}'
        assert api.delete(path, as_='member').status_code == 403
        assert api.delete(path, as_='cloud_admin').status_code == 202
        assert api.get(path).status_code == 404
        assert api.delete(path, as_='cloud_admin').status_code == 404


class TestExtraSpecs:

    def test_create_show_update_delete(self, api):
        flavor = create(api)
        path = f'{BASE}/{flavor["id"]}/os-extra_specs'
        response = api.post(path, {'extra_specs': {'hw:cpu_policy': 'dedicated', 'n': 4}},
                            as_='cloud_admin')
        assert response.status_code == 200
        assert response.json == {'extra_specs': {'hw:cpu_policy': 'dedicated', 'n': '4'}}
        assert api.get(path, as_='reader').json['extra_specs']['n'] == '4'
        assert api.get(f'{path}/n').json == {'n': '4'}
        assert api.put(f'{path}/n', {'n': '8'}, as_='cloud_admin').json == {'n': '8'}
        assert api.delete(f'{path}/n', as_='cloud_admin').status_code == 200
        assert api.get(f'{path}/n').status_code == 404
        assert api.delete(f'{path}/n', as_='cloud_admin').status_code == 404

    def test_put_body_must_match_the_key(self, api):
        path = f'{BASE}/{create(api)["id"]}/os-extra_specs'
        assert api.put(f'{path}/a', {'b': '1'}, as_='cloud_admin').status_code == 400
        assert api.put(f'{path}/a', {'a': '1', 'b': '2'},
                       as_='cloud_admin').status_code == 400
        assert api.post(path, {'extra_specs': {'bad/key': 'x'}},
                        as_='cloud_admin').status_code == 400

    def test_only_admins_write_and_hidden_flavors_are_404(self, api):
        flavor = private(api)
        path = f'{BASE}/{flavor["id"]}/os-extra_specs'
        assert api.post(path, {'extra_specs': {'a': 'b'}}, as_='member').status_code == 403
        assert api.get(path, as_='member').status_code == 404


class TestAccess:

    def test_add_list_remove(self, api):
        flavor = private(api)
        action = f'{BASE}/{flavor["id"]}/action'
        for project in (PROJECT, OTHER_PROJECT):
            api.post(action, {'addTenantAccess': {'tenant': project}}, as_='cloud_admin')
        listed = api.get(f'{BASE}/{flavor["id"]}/os-flavor-access', as_='cloud_admin').json
        assert listed == {'flavor_access': [
            {'flavor_id': flavor['id'], 'tenant_id': PROJECT},
            {'flavor_id': flavor['id'], 'tenant_id': OTHER_PROJECT}]}
        again = api.post(action, {'addTenantAccess': {'tenant': PROJECT}}, as_='cloud_admin')
        assert again.status_code == 409
        removed = api.post(action, {'removeTenantAccess': {'tenant': PROJECT}},
                           as_='cloud_admin')
        assert removed.json['flavor_access'] == [{'flavor_id': flavor['id'],
                                                  'tenant_id': OTHER_PROJECT}]
        assert api.get(f'{BASE}/{flavor["id"]}', as_='member').status_code == 404
        gone = api.post(action, {'removeTenantAccess': {'tenant': PROJECT}}, as_='cloud_admin')
        assert gone.status_code == 404

    def test_access_for_a_project_identity_does_not_know_is_refused(self, env, api):
        flavor = private(api)
        action = f'{BASE}/{flavor["id"]}/action'
        env.projects.missing.add('no-such-project')
        refused = api.post(action, {'addTenantAccess': {'tenant': 'no-such-project'}},
                           as_='cloud_admin')
        assert refused.status_code == 400
        assert refused.json['badRequest']['message'] == \
            'Project ID no-such-project is not a valid project.'
        assert api.get(f'{BASE}/{flavor["id"]}/os-flavor-access',
                       as_='cloud_admin').json == {'flavor_access': []}

    def test_access_of_a_deleted_project_can_still_be_removed(self, env, api):
        flavor = private(api)
        action = f'{BASE}/{flavor["id"]}/action'
        api.post(action, {'addTenantAccess': {'tenant': OTHER_PROJECT}}, as_='cloud_admin')
        env.projects.missing.add(OTHER_PROJECT)
        removed = api.post(action, {'removeTenantAccess': {'tenant': OTHER_PROJECT}},
                           as_='cloud_admin')
        assert removed.status_code == 200 and removed.json['flavor_access'] == []

    def test_public_flavors_have_no_access_list(self, api):
        flavor = create(api)
        assert api.get(f'{BASE}/{flavor["id"]}/os-flavor-access',
                       as_='cloud_admin').status_code == 404
        action = f'{BASE}/{flavor["id"]}/action'
        body = {'addTenantAccess': {'tenant': PROJECT}}
        assert api.post(action, body, as_='cloud_admin', version='2.7').status_code == 409
        assert api.post(action, body, as_='cloud_admin', version='2.6').status_code == 200

    def test_members_cannot_share_and_unknown_actions_are_400(self, api):
        flavor = private(api)
        action = f'{BASE}/{flavor["id"]}/action'
        assert api.post(action, {'addTenantAccess': {'tenant': PROJECT}},
                        as_='member').status_code == 403
        assert api.post(action, {'shareIt': {}}, as_='cloud_admin').status_code == 400
        assert api.post(action, {'addTenantAccess': {}}, as_='cloud_admin').status_code == 400


class TestForServers:
    """``find_usable`` and ``snapshot``: what server create and resize rely on."""

    def test_find_usable_by_id_or_url(self, env, api):
        create(api, id='small')
        with env.db.reader() as session:
            for ref in ('small', 'http://x/v2.1/flavors/small'):
                assert flavors.find_usable(session, ref, PROJECT, False).name == 'm1.small'

    def test_unknown_disabled_and_hidden_flavors_are_400(self, env, api):
        private(api, id='hidden')
        create(api, name='old', id='old')
        with env.db.writer() as session:
            session.query(models.Flavor).filter_by(flavorid='old').update({'disabled': True})
        with env.db.reader() as session:
            for ref in ('nope', 'old', 'hidden'):
                with pytest.raises(exceptions.BadRequest,
                                   match=f'Flavor {ref} could not be found.'):
                    flavors.find_usable(session, ref, PROJECT, False)
            assert flavors.find_usable(session, 'hidden', PROJECT, True).name == 'secret'

    def test_snapshot_holds_the_sizes_and_extra_specs(self, env, api):
        flavor = create(api, id='big', swap=256, **{'OS-FLV-EXT-DATA:ephemeral': 5})
        api.post(f'{BASE}/big/os-extra_specs', {'extra_specs': {'hw:numa_nodes': '1'}},
                 as_='cloud_admin')
        with env.db.reader() as session:
            copy = flavors.snapshot(session, flavors.get(session, 'big', PROJECT, False))
        assert copy == {'id': flavor['id'], 'name': 'm1.small', 'vcpus': 1, 'ram': 2048,
                        'disk': 20, 'ephemeral': 5, 'swap': 256,
                        'extra_specs': {'hw:numa_nodes': '1'}}
