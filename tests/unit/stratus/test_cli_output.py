"""How the CLI prints records and listings."""
import json

import pytest

from stratus.cli import main
from stratus.cli import output
from stratus.cli.output import Listing, Record


def test_record_as_table_sorted_by_field():
    text = output.render(Record({'name': 'demo', 'id': 'p1', 'tags': ['a', 'b']}))
    assert text.splitlines() == [
        '+-------+-------+',
        '| Field | Value |',
        '+-------+-------+',
        '| id    | p1    |',
        '| name  | demo  |',
        '| tags  | a, b  |',
        '+-------+-------+']


def test_record_as_json_and_value_with_columns():
    record = Record({'id': 'p1', 'name': 'demo', 'enabled': True, 'options': {}})
    assert json.loads(output.render(record, 'json')) == record.fields
    assert output.render(record, 'value', ['id']) == 'p1'
    assert output.render(record, 'value', ['ID', 'enabled']) == 'p1\nTrue'


def test_listing_with_multiline_cells_and_formatters():
    listing = Listing(['Name', 'Endpoints'], [['keystone', ['a', 'b']]],
                      {'Endpoints': lambda urls: '\n'.join(urls)})
    assert output.render(listing).splitlines() == [
        '+----------+-----------+',
        '| Name     | Endpoints |',
        '+----------+-----------+',
        '| keystone | a         |',
        '|          | b         |',
        '+----------+-----------+']
    assert json.loads(output.render(listing, 'json')) == [{'Name': 'keystone',
                                                           'Endpoints': ['a', 'b']}]
    assert output.render(listing, 'value', ['name']) == 'keystone'


def test_empty_listing_and_none():
    assert output.render(Listing(['ID'], [])) == '+----+\n| ID |\n+----+'
    assert output.render(Listing(['ID'], []), 'json') == '[]'
    assert output.render(None) == ''


def test_unknown_column():
    with pytest.raises(output.UnknownColumn, match='No column nope; choose from: ID, Name'):
        output.render(Listing(['ID', 'Name'], []), columns=['nope'])


def test_parser_reads_openstack_style_commands():
    parser = main.build_parser()
    args = parser.parse_args(['--os-cloud', 'c', 'role', 'add', '--user', 'u', '--project',
                              'p', 'member', '-f', 'json'])
    assert (args.os_cloud, args.user, args.project, args.role, args.format) == \
        ('c', 'u', 'p', 'member', 'json')
    args = parser.parse_args(['application', 'credential', 'create', 'ac', '--role', 'a',
                              '--role', 'b'])
    assert args.roles == ['a', 'b']
    with pytest.raises(SystemExit):
        parser.parse_args(['role', 'add', '--user', 'u', 'member'])  # no target
