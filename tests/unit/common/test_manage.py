"""``stratus-manage`` (``common/manage.py``): finds the services' commands and runs them."""
import logging
import os

import pytest
from oslo_config import cfg

from common import manage


@pytest.fixture(autouse=True)
def process_state(monkeypatch):
    """A fresh global configuration; the commands also reconfigure logging."""
    monkeypatch.setattr(manage.cfg, 'CONF', cfg.ConfigOpts())
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_identity_command_runs_with_the_config_file(tmp_path, capsys):
    config_file = tmp_path / 'identity.conf'
    config_file.write_text(f'[DEFAULT]\nstate_path = {tmp_path}\n')
    manage.main(['--config-file', str(config_file), 'identity', 'fernet-setup'])
    assert 'created Fernet keys' in capsys.readouterr().out
    assert sorted(os.listdir(tmp_path / 'identity' / 'fernet-keys')) == ['0', '1']


def test_unknown_service_or_command_is_a_usage_error(capsys):
    for argv in (['no-such-service'], ['identity', 'no-such-command'], []):
        with pytest.raises(SystemExit) as caught:
            manage.main(argv)
        assert caught.value.code == 2
    assert 'identity' in capsys.readouterr().err
