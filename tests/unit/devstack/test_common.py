"""``devstack/lib/common``: helpers that must work on a fresh machine."""
import pathlib
import re
import subprocess

REPO = pathlib.Path(__file__).resolve().parents[3]


def test_generated_passwords_need_no_python(tmp_path):
    """Passwords are made before any package is installed: a fresh Debian
    may have no python3 yet, and an empty password must never be used."""
    calls = tmp_path / 'python-calls'
    python = tmp_path / 'python3'
    python.write_text(f'#!/bin/bash\necho "$*" >>{calls}\nexit 127\n')
    python.chmod(0o755)
    script = f'''
        set -Eeuo pipefail
        source {REPO}/devstack/lib/common
        SUDO=""
        CREDENTIALS_FILE={tmp_path}/no-credentials
        DEVSTACK_DIR={tmp_path}
        unset ADMIN_PASSWORD DEMO_PASSWORD SERVICE_PASSWORD DATABASE_PASSWORD
        load_settings
        echo "$ADMIN_PASSWORD $DEMO_PASSWORD $SERVICE_PASSWORD $DATABASE_PASSWORD"
    '''
    result = subprocess.run(['bash', '-c', script], capture_output=True, text=True,
                            env={'PATH': '/usr/bin:/bin', 'PYTHON': str(python),
                                 'HOME': str(tmp_path)}, timeout=30)
    assert result.returncode == 0, result.stderr
    passwords = result.stdout.split()
    assert len(passwords) == 4 and len(set(passwords)) == 4
    assert all(re.fullmatch(r'[0-9a-f]{32}', p) for p in passwords), passwords
    assert not calls.exists()
