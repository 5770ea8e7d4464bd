"""How command results are printed: ``-f table`` (default), ``json`` or ``value``.

A command returns a ``Record`` (one object: printed as Field/Value) or a
``Listing`` (rows under column headings), or ``None`` to print nothing.
``-c COLUMN`` keeps only the named fields or columns, as in the
``openstack`` CLI (``-f value -c id`` prints a bare id for scripts).
"""
import dataclasses
import json

FORMATS = ('table', 'json', 'value')


class UnknownColumn(Exception):
    """A ``-c`` column that the result does not have."""


@dataclasses.dataclass
class Record:
    """One object; ``fields`` maps a field name to its value."""
    fields: dict


@dataclasses.dataclass
class Listing:
    """Rows of values under ``columns``.

    ``formatters`` maps a column to a function that renders its values for
    ``table`` and ``value`` output; ``json`` prints them unchanged.
    """
    columns: list
    rows: list
    formatters: dict = dataclasses.field(default_factory=dict)


def _text(value):
    if value is None:
        return ''
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return ', '.join(value)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def table(columns, rows):
    """An ASCII table; a cell may span several lines."""
    cells = [[str(c).split('\n') for c in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        widths = [max(w, *(len(line) for line in cell)) for w, cell in zip(widths, row)]
    rule = '+' + '+'.join('-' * (w + 2) for w in widths) + '+'

    def line(parts):
        return '| ' + ' | '.join(p.ljust(w) for p, w in zip(parts, widths)) + ' |'

    out = [rule, line(columns), rule]
    for row in cells:
        for i in range(max((len(cell) for cell in row), default=1)):
            out.append(line([cell[i] if i < len(cell) else '' for cell in row]))
    if rows:
        out.append(rule)
    return '\n'.join(out)


def _select(names, wanted):
    """The indexes of ``wanted`` among ``names`` (all when nothing is wanted)."""
    if not wanted:
        return list(range(len(names)))
    lowered = [n.lower() for n in names]
    missing = [w for w in wanted if w.lower() not in lowered]
    if missing:
        raise UnknownColumn(f"No column {', '.join(missing)}; choose from: {', '.join(names)}.")
    return [lowered.index(w.lower()) for w in wanted]


def render(result, fmt='table', columns=None):
    """``result`` as the text to print (``''`` for ``None``).

    :raises UnknownColumn: see ``-c``.
    """
    if result is None:
        return ''
    if isinstance(result, Record):
        names = list(result.fields)
        keep = [names[i] for i in _select(names, columns)]
        if fmt == 'json':
            return json.dumps({k: result.fields[k] for k in keep}, indent=2, sort_keys=True)
        if fmt == 'value':
            return '\n'.join(_text(result.fields[k]) for k in keep)
        return table(['Field', 'Value'],
                     [[k, _text(result.fields[k])] for k in sorted(keep)])
    keep = _select(result.columns, columns)
    names = [result.columns[i] for i in keep]
    if fmt == 'json':
        return json.dumps([{n: row[i] for n, i in zip(names, keep)} for row in result.rows],
                          indent=2)

    def cell(name, value):
        formatter = result.formatters.get(name)
        return formatter(value) if formatter else _text(value)

    rows = [[cell(n, row[i]) for n, i in zip(names, keep)] for row in result.rows]
    if fmt == 'value':
        return '\n'.join(' '.join(row) for row in rows)
    return table(names, rows)
