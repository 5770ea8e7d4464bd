"""The agent has no database options; the API and conductor have them."""
import inspect

from oslo_config import cfg

from compute import conf as compute_conf
from compute.cmd import agent as agent_cmd


def test_an_agent_registers_no_database_options():
    conf = cfg.ConfigOpts()
    compute_conf.register_opts(conf, database=False)
    assert 'database' not in conf
    assert 'register_opts(conf, database=False)' in inspect.getsource(agent_cmd.main)


def test_the_api_and_conductor_have_their_database():
    conf = cfg.ConfigOpts()
    compute_conf.register_opts(conf)
    assert conf.database.connection is None
