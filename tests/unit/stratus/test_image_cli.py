"""The image commands' parsing and printing (no request is sent)."""
import argparse
import io

import pytest

from stratus.cli import image as image_cli
from stratus.cli import main


def test_property_options_are_key_value_pairs():
    args = main.build_parser().parse_args([
        'image', 'create', 'cirros', '--property', 'os_distro=cirros', '--property',
        'note=a=b', '--public', '--tag', 't1', '--min-disk', '1', '--protected'])
    assert args.properties == [('os_distro', 'cirros'), ('note', 'a=b')]
    assert (args.visibility, args.tags, args.min_disk, args.protected) == (
        'public', ['t1'], 1, True)
    assert (args.disk_format, args.container_format) == ('raw', 'bare')
    assert image_cli._attributes(args) == {'os_distro': 'cirros', 'note': 'a=b',
                                           'visibility': 'public', 'min_disk': 1,
                                           'protected': True}
    with pytest.raises(argparse.ArgumentTypeError, match='expected key=value'):
        image_cli._key_value('novalue')


def test_membership_and_visibility_options_exclude_each_other(capsys):
    parser = main.build_parser()
    assert parser.parse_args(['image', 'set', 'x', '--reject']).membership == 'rejected'
    for argv in (['image', 'set', 'x', '--accept', '--reject'],
                 ['image', 'create', 'x', '--public', '--private']):
        with pytest.raises(SystemExit):
            parser.parse_args(argv)
    assert 'not allowed with argument' in capsys.readouterr().err


def test_show_gathers_non_core_attributes_under_properties():
    record = image_cli._image_record({
        'id': 'i', 'name': 'n', 'status': 'active', 'os_distro': 'cirros',
        'os_hash_algo': 'sha512', 'self': '/v2/images/i', 'tags': []})
    assert record.fields['properties'] == {'os_distro': 'cirros', 'os_hash_algo': 'sha512'}
    assert record.fields['name'] == 'n' and record.fields['size'] is None
    assert 'self' not in record.fields and 'os_distro' not in record.fields


def test_progress_bar():
    stream = io.StringIO()
    bar = image_cli._ProgressBar(stream)
    bar(1, 4)
    bar(4, 4)
    bar(10, None)
    bar.end()
    quarter = '=' * 10 + ' ' * 30
    assert stream.getvalue() == f'\r[{quarter}]  25%\r[{"=" * 40}] 100%\r10 bytes\n'
