"""The choice of a new volume's backend: up, enabled, in its zone, of its type's backend
name, with room; the one with most room wins."""
import pytest

from volume.conductor import scheduling
from tests.unit.volume.conductor.helpers import disable, report_backend, silence

TYPE = {'id': 't', 'name': '__DEFAULT__', 'extra_specs': {}}


def spec(size=1, zone='nova', extra_specs=None, backend_host=None, multiattach=False):
    return {'volume_id': 'v', 'project_id': 'p', 'size': size, 'availability_zone': zone,
            'volume_type': {**TYPE, 'extra_specs': extra_specs or {}},
            'multiattach': multiattach, 'snapshot_id': None, 'source_volid': None,
            'image_id': None, 'backend_host': backend_host}


def choose(env, request_spec):
    with env.db.reader() as session:
        return scheduling.choose(session, env.conf, request_spec)


def test_the_backend_with_most_free_space_wins(env):
    report_backend(env, 'node-1@file', free=50)
    report_backend(env, 'node-2@file', free=80)
    choice = choose(env, spec())
    assert (choice.backend, choice.volume_host) == ('node-2@file', 'node-2@file#file')


def test_no_backend_at_all_is_said(env):
    with pytest.raises(scheduling.NoValidBackend, match='No volume backend is up'):
        choose(env, spec())


@pytest.mark.parametrize('hide', [silence, disable])
def test_down_and_disabled_backends_are_skipped(env, hide):
    report_backend(env, 'node-1@file', free=90)
    report_backend(env, 'node-2@file', free=10)
    hide(env, 'node-1@file')
    assert choose(env, spec()).backend == 'node-2@file'
    hide(env, 'node-2@file')
    with pytest.raises(scheduling.NoValidBackend):
        choose(env, spec())


def test_the_zone_must_match(env):
    report_backend(env, 'node-1@file', zone='az-1')
    with pytest.raises(scheduling.NoValidBackend, match='availability zone nova'):
        choose(env, spec())
    assert choose(env, spec(zone='az-1')).backend == 'node-1@file'


def test_the_type_backend_name_must_match(env):
    report_backend(env, 'node-1@fast', name='fast', free=10)
    report_backend(env, 'node-1@slow', name='slow', free=90)
    assert choose(env, spec(extra_specs={'volume_backend_name': 'fast'})).volume_host == \
        'node-1@fast#fast'
    with pytest.raises(scheduling.NoValidBackend, match='named gold'):
        choose(env, spec(extra_specs={'volume_backend_name': 'gold'}))


def test_room_is_counted_without_the_reserved_part(env):
    report_backend(env, 'node-1@file', free=30, total=100, reserved=25)
    assert choose(env, spec(size=5)).backend == 'node-1@file'
    with pytest.raises(scheduling.NoValidBackend, match='6 GiB free'):
        choose(env, spec(size=6))


def test_a_copy_stays_on_the_backend_of_its_source(env):
    report_backend(env, 'node-1@file', free=10)
    report_backend(env, 'node-2@file', free=90)
    assert choose(env, spec(backend_host='node-1@file')).backend == 'node-1@file'
    silence(env, 'node-1@file')
    with pytest.raises(scheduling.NoValidBackend, match='node-1@file'):
        choose(env, spec(backend_host='node-1@file'))


def test_multiattach_needs_a_backend_that_offers_it(env):
    report_backend(env, 'node-1@file', multiattach=False)
    with pytest.raises(scheduling.NoValidBackend, match='several servers'):
        choose(env, spec(multiattach=True))
    assert choose(env, spec()).backend == 'node-1@file'
