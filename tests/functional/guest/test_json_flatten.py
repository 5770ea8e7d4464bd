"""The guest's JSON reader (devstack/files/guest/rootfs/usr/lib/stratus/json-flatten),
run as in the guest: by busybox awk."""
import json
import os
import subprocess

from tests.functional.guest import conftest

SCRIPT = os.path.join(conftest.CHECKOUT, 'devstack', 'files', 'guest', 'rootfs', 'usr', 'lib',
                      'stratus', 'json-flatten')


def flatten(text):
    result = subprocess.run(['busybox', 'awk', '-f', SCRIPT], input=text, capture_output=True,
                            text=True)
    return result.returncode, result.stdout.splitlines(), result.stderr


def test_nova_meta_data_on_one_line():
    document = json.dumps({
        'uuid': '0b5c3c67-5b5a-4d2c-9a0e-3c1c1e0f7e21', 'meta': {'role': 'web'},
        'hostname': 'vm1', 'public_keys': {'mykey': 'ssh-ed25519 AAAAC3Nz user@host'},
        'keys': [{'name': 'mykey', 'type': 'ssh'}], 'launch_index': 0, 'devices': [],
    })

    status, lines, _ = flatten(document)

    assert status == 0
    assert lines == ['uuid\t0b5c3c67-5b5a-4d2c-9a0e-3c1c1e0f7e21', 'meta/role\tweb',
                     'hostname\tvm1', 'public_keys/mykey\tssh-ed25519 AAAAC3Nz user@host',
                     'keys/0/name\tmykey', 'keys/0/type\tssh', 'launch_index\t0']


def test_any_whitespace_and_escapes():
    document = ('{\n\t"hostname"  :\r\n "h\\u0032" ,"public_keys":{ '
                '"a":"ssh-rsa AA\\/B \\"c\\"",\n'
                '"b" : "x\\ny\\\\z\\u00e9" } , "n": [ 1 , true,null ] }\n')

    status, lines, _ = flatten(document)

    assert status == 0
    assert lines == ['hostname\th2', 'public_keys/a\tssh-rsa AA/B "c"',
                     'public_keys/b\tx y\\z\\u00e9', 'n/0\t1', 'n/1\ttrue', 'n/2\tnull']


def test_malformed_input_fails():
    for document in ('{"a": ', '{"a" "b"}', '', '{"a": "b"} x', '{"a": "\\uZZZZ"}'):
        status, _, stderr = flatten(document)
        assert status == 1, document
        assert stderr.startswith('json-flatten: '), document
