"""``tests/servers/``: the functional tests' process helpers explain their failures."""
import pytest

from tests import servers


def test_a_failing_manage_command_shows_its_output(tmp_path):
    conf = tmp_path / 'identity.conf'
    conf.write_text(f'[database]\nconnection = sqlite:///{tmp_path}/missing-dir/identity.sqlite\n')
    with pytest.raises(RuntimeError) as failure:
        servers.manage(str(conf), 'identity', 'db-sync')
    assert 'stratus-manage identity db-sync failed' in str(failure.value)
    assert 'unable to open database file' in str(failure.value)
