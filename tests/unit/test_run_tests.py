"""``run_tests.sh``: what it does on a fresh machine before any test runs.

The script is copied into a scratch checkout and run with stand-ins for the
commands that would change the machine (``apt-get``, ``sudo``) and for a
Debian ``python3`` that cannot make a virtualenv yet.
"""
import pathlib
import shutil
import subprocess


REPO = pathlib.Path(__file__).resolve().parents[2]

# A python3 as a fresh Debian 12 has it: no ensurepip until python3-venv is
# installed (here: until the apt-get stand-in has run).
FAKE_PYTHON = r'''#!/bin/bash
case "$*" in
    "-c import sys; print(sys.executable)") echo "$0" ;;
    "-c import sys; sys.exit(sys.version_info < (3, 11))") exit 0 ;;
    "-c import ensurepip") [[ -e $STUB_LOG.venv-installed ]] ;;
    "-m venv "*) echo "ensurepip is not available" >&2; exit 1 ;;
    *) exit 1 ;;
esac
'''
APT_GET = '''#!/bin/bash
echo "apt-get $*" >>"$STUB_LOG"
[[ $1 == install ]] && touch "$STUB_LOG.venv-installed"
exit 0
'''
DPKG_QUERY = '#!/bin/bash\nexit 1\n'  # nothing is installed
SUDO = '#!/bin/bash\n[[ $1 == -v ]] && exit 0\nexec "$@"\n'


def _script(path, text):
    path.write_text(text)
    path.chmod(0o755)


def test_a_fresh_debian_gets_python3_venv_before_the_test_virtualenv(tmp_path):
    assert shutil.which('bash'), 'run_tests.sh is a bash script: bash must be installed'
    checkout = tmp_path / 'checkout'
    (checkout / 'devstack' / 'lib').mkdir(parents=True)
    shutil.copy(REPO / 'run_tests.sh', checkout / 'run_tests.sh')
    shutil.copy(REPO / 'devstack' / 'lib' / 'common', checkout / 'devstack' / 'lib' / 'common')
    for name in ('setup.cfg', 'pyproject.toml', 'requirements-test.txt'):
        (checkout / name).write_text('')
    stubs = tmp_path / 'bin'
    stubs.mkdir()
    for name, text in (('python3', FAKE_PYTHON), ('apt-get', APT_GET),
                       ('dpkg-query', DPKG_QUERY), ('sudo', SUDO)):
        _script(stubs / name, text)
    log = tmp_path / 'calls.log'
    env = {'PATH': f'{stubs}:/usr/bin:/bin', 'HOME': str(tmp_path),
           'PYTHON': str(stubs / 'python3'), 'STUB_LOG': str(log)}
    result = subprocess.run(['bash', str(checkout / 'run_tests.sh'), 'unit'], env=env,
                            capture_output=True, text=True, timeout=60)
    calls = log.read_text().splitlines() if log.exists() else []
    assert any(c.startswith('apt-get install') and 'python3-venv' in c for c in calls), \
        (calls, result.stderr)
    # The stand-in python still cannot make a virtualenv: the script stops, and says why.
    assert result.returncode != 0
    assert 'could not create' in result.stderr
