"""What the SDK returns: the server's JSON object, readable as attributes.

``project.name`` and ``project['name']`` are the same.  Nested objects are
``Resource`` too (``token.user.domain.name``).  A key that is also a dict
method (``items``, ``keys``, ``values``, ``get`` …) is reached with
``[]`` only.
"""


def _wrap(value):
    if isinstance(value, dict) and not isinstance(value, Resource):
        return Resource(value)
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    return value


class Resource(dict):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, value in self.items():
            dict.__setitem__(self, key, _wrap(value))

    def __setitem__(self, key, value):
        super().__setitem__(key, _wrap(value))

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f'{type(self).__name__} has no attribute {name!r}') from None

    def __dir__(self):
        return sorted(set(super().__dir__()) | {k for k in self if isinstance(k, str)})
