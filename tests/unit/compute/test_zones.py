"""Which zone each host is in, and which zones are available."""
from compute import zones
from tests.unit.compute import host_factories as f


def _setup(env):
    with env.db.writer() as session:
        for host in ('h1', 'h2', 'h3'):
            f.add_agent(session, host, disabled=(host == 'h3'))
        f.add_conductor(session)
        f.add_aggregate(session, 'zoned', ['h1'], zone='az1')
        f.add_aggregate(session, 'plain', ['h2'], ssd='true')
        f.add_aggregate(session, 'disabled-zone', ['h3'], zone='az3')


def test_hosts_take_their_aggregate_zone_else_the_default(env):
    _setup(env)
    with env.db.reader() as session:
        assert zones.host_zones(session, env.conf) == {'h1': 'az1', 'h2': 'nova', 'h3': 'az3'}
        assert zones.zone_of_host(session, env.conf, 'h1') == 'az1'
        assert zones.zone_of_host(session, env.conf, 'h2') == 'nova'


def test_default_zone_is_configurable(make_env):
    env = make_env(compute__default_availability_zone='zone-x')
    with env.db.writer() as session:
        f.add_agent(session, 'h1')
    with env.db.reader() as session:
        assert zones.host_zones(session, env.conf) == {'h1': 'zone-x'}


def test_zones_with_an_enabled_host_are_available_conductors_are_internal(env):
    _setup(env)
    with env.db.reader() as session:
        assert zones.zones_by_state(session, env.conf) == (['az1', 'internal', 'nova'],
                                                           ['az3'])


def test_only_zones_with_an_enabled_compute_host_exist_for_servers(env):
    _setup(env)
    with env.db.reader() as session:
        assert zones.zone_exists(session, env.conf, 'az1')
        assert zones.zone_exists(session, env.conf, 'nova')
        assert not zones.zone_exists(session, env.conf, 'az3')       # its only host disabled
        assert not zones.zone_exists(session, env.conf, 'internal')
        assert not zones.zone_exists(session, env.conf, 'nowhere')


def test_conflicting_zones_name_other_aggregates_zones_of_the_hosts(env):
    _setup(env)
    with env.db.writer() as session:
        other = f.add_aggregate(session, 'other', ['h1'])
        assert zones.conflicting_zones(session, ['h1', 'h2'], 'az9', other.id) == ['az1']
        assert zones.conflicting_zones(session, ['h1'], 'az1', other.id) == []
        assert zones.conflicting_zones(session, [], 'az9', other.id) == []
