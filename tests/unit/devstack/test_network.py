"""``devstack/lib/network`` and its place in the all-in-one (bash, no service started)."""
import configparser
import pathlib
import subprocess

REPO = pathlib.Path(__file__).resolve().parents[3]
STACK_STEPS = ('packages', 'install', 'configure', 'init', 'start')


def _bash(script, tmp_path):
    result = subprocess.run(['bash', '-c', f'set -Eeuo pipefail\n'
                                           f'source {REPO}/devstack/lib/common\n{script}'],
                            capture_output=True, text=True, timeout=30,
                            env={'PATH': '/usr/bin:/bin', 'HOME': str(tmp_path)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def _default_services(tmp_path):
    return _bash(f'''SUDO=""; CREDENTIALS_FILE={tmp_path}/none; DEVSTACK_DIR={tmp_path}
        unset ENABLED_SERVICES; load_settings; echo "$ENABLED_SERVICES"''', tmp_path).split()


def test_network_and_volume_are_deployed_by_default_before_compute(tmp_path):
    services = _default_services(tmp_path)
    assert services == ['identity', 'image', 'network', 'volume', 'compute']


def test_every_default_service_has_the_functions_stack_sh_calls(tmp_path):
    services = _default_services(tmp_path)
    sources = ''.join(f'source {REPO}/devstack/lib/{s}\n' for s in services)
    wanted = ' '.join(f'{step}_{s}' if step != 'packages' else f'{s}_packages'
                      for s in services for step in STACK_STEPS)
    missing = _bash(f'''{sources}
        for f in {wanted}; do declare -F "$f" >/dev/null || echo "$f"; done''', tmp_path)
    assert missing == ''


def test_guests_need_a_config_drive_only_without_the_network_service(tmp_path):
    def force(services):
        return _bash(f'''source {REPO}/devstack/lib/compute
            ENABLED_SERVICES="{services}"; compute_force_config_drive''', tmp_path).strip()
    assert force('identity image compute') == 'True'
    # lib/network deploys the host's agent: DHCP and the metadata proxy
    assert force('identity image network compute') == 'False'


def test_configure_network_writes_network_conf(tmp_path):
    _bash(f'''source {REPO}/devstack/lib/network
        STRATUS_CONF_DIR={tmp_path}; STRATUS_STATE_DIR={tmp_path}/state
        NETWORK_CONF={tmp_path}/network.conf
        DATABASE=postgresql; DATABASE_USER=stratus; DATABASE_PASSWORD=dbpw
        HOST_IP=192.0.2.10; SERVICE_PASSWORD=svcpw; METADATA_SECRET=mdsecret
        TRANSPORT_URL=rabbit://stratus:pw@127.0.0.1:5672/stratus
        create_database() {{ echo "created $1" >>{tmp_path}/calls; }}
        install_file() {{ cp "$2" "$3"; }}
        configure_network''', tmp_path)
    assert (tmp_path / 'calls').read_text() == 'created network\n'
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(tmp_path / 'network.conf')
    assert conf['DEFAULT']['transport_url'] == 'rabbit://stratus:pw@127.0.0.1:5672/stratus'
    assert (conf['api']['bind_port'], conf['api']['public_url']) == (
        '9696', 'http://192.0.2.10:9696')
    assert conf['database']['connection'] == (
        'postgresql+psycopg2://stratus:dbpw@127.0.0.1/stratus_network')
    for section in ('keystone_authtoken', 'service_user'):
        assert (conf[section]['username'], conf[section]['password']) == ('network', 'svcpw')
    assert conf['agent']['local_ip'] == '192.0.2.10'
    assert conf['agent']['bridge_mappings'] == 'public:br-ex'
    assert conf['metadata']['metadata_proxy_shared_secret'] == 'mdsecret'

