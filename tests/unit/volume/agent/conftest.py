"""Fixtures of the volume agent's unit tests: its options, parsed, in a temporary state_path."""
import pytest

from common import config as common_config
from common import rpc
from tests.unit import make_conf
from volume.agent import opts


def register(conf):
    """The options a volume agent process registers."""
    common_config.register_common_opts(conf)
    rpc.register_opts(conf)
    opts.register_opts(conf)


@pytest.fixture
def backend_conf(tmp_path):
    """The agent's configuration; its directories under ``tmp_path`` (not yet made)."""
    return make_conf(tmp_path, register=register)
