"""Architecture rules checked on the source tree (ARCHITECTURE.md §3, STYLE.md items 1 and 4).

* Only ``common/rpc.py`` and each service's ``rpcapi.py`` build oslo.messaging
  clients: everything else goes through them.
* Nothing under ``<service>/agent/`` imports a database module: a
  compromised hypervisor host must not reach any service's data.
"""
import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ('common', 'identity', 'compute', 'network', 'image', 'volume', 'dashboard', 'stratus')
RPC_MODULES_ALLOWED = {'common/rpc.py'}
DATABASE_MODULES = ('sqlalchemy', 'alembic', 'common.db')


def _sources():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob('*.py'))


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _relative(path):
    return path.relative_to(ROOT).as_posix()


def test_tree_is_scanned():
    assert any(_relative(p) == 'common/rpc.py' for p in _sources())


def test_only_rpc_modules_import_oslo_messaging():
    offenders = [_relative(p) for p in _sources()
                 if _relative(p) not in RPC_MODULES_ALLOWED and p.name != 'rpcapi.py'
                 and any(name.split('.')[0] == 'oslo_messaging' for name in _imports(p))]
    assert offenders == [], f'these modules must go through common.rpc or rpcapi.py: {offenders}'


def test_agents_do_not_import_databases():
    offenders = []
    for path in _sources():
        parts = _relative(path).split('/')
        if 'agent' not in parts[1:-1]:
            continue
        for name in _imports(path):
            service_db = f'{parts[0]}.db'
            if name.startswith(DATABASE_MODULES) or name == service_db or \
                    name.startswith(service_db + '.'):
                offenders.append(f'{_relative(path)} imports {name}')
    assert offenders == [], f'agents report through their conductor: {offenders}'


def test_an_agent_process_loads_no_database_code():
    """Transitively, not only by direct imports: the agent's whole import graph."""
    probe = ('import sys\n'
             'import compute.cmd.agent, compute.agent.drivers.libvirt.driver\n'
             'print(sorted(m for m in sys.modules if m.startswith(%r) or m == "compute.db"'
             ' or m.startswith("compute.db.")))' % (DATABASE_MODULES,))
    result = subprocess.run([sys.executable, '-c', probe], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[]', f'the agent loads database code: {result.stdout}'
