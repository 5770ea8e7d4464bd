"""Shared options and where a service keeps its data (``common/config.py``)."""
import os

from oslo_config import cfg

from common import config as common_config


def test_database_url_defaults_to_sqlite_under_state_path(conf, tmp_path):
    url = common_config.database_url(conf, 'identity')
    assert url == f'sqlite:///{tmp_path}/identity/identity.sqlite'
    assert os.path.isdir(tmp_path / 'identity')


def test_configured_database_url_wins(conf):
    conf.set_override('connection', 'mysql+pymysql://u:p@db/identity', group='database')
    assert common_config.database_url(conf, 'identity') == 'mysql+pymysql://u:p@db/identity'


def test_load_parses_arguments_and_the_service_port(tmp_path):
    config_file = tmp_path / 'identity.conf'
    config_file.write_text('[DEFAULT]\nreport_interval = 7\n[api]\nworkers = 3\n')
    conf = cfg.ConfigOpts()
    common_config.register_common_opts(conf)
    common_config.load(conf, 'identity', ['--config-file', str(config_file), '--debug'],
                       default_bind_port=5000)
    assert conf.debug is True
    assert conf.report_interval == 7
    assert conf.api.workers == 3
    assert conf.api.bind_port == 5000


def test_list_opts_covers_the_groups():
    groups = dict(common_config.list_opts())
    assert {'DEFAULT', 'api', 'database'} <= set(groups)
    assert all(opt.help for opts in groups.values() for opt in opts)
