"""The base of every service proxy: requests to one service, and CRUD helpers.

A proxy talks to the endpoint the catalog gives for its service type, on
the connection's interface and region, through a keystoneauth1
``Adapter``.  Subclasses (``stratus.identity.proxy`` …) are thin: one
method per API call, built on ``_get``, ``_list``, ``_create``,
``_update``, ``_delete`` and ``_find``; those of services with
microversions (compute, block storage) derive from ``MicroversionProxy``.
"""
import urllib.parse

from keystoneauth1 import adapter

from stratus import exceptions
from stratus.resource import Resource


def resource_id(value):
    """The id of ``value``, which is either an id or a resource."""
    return value['id'] if isinstance(value, dict) else value


def quote(value):
    """``value`` made safe as one path segment."""
    return urllib.parse.quote(str(value), safe='')


def single_match(matches, kind, name_or_id, ignore_missing, advice='use its ID'):
    """The one resource of ``matches``, those a find kept for ``name_or_id``.

    :param kind: what is looked for, in words (``'volume type'``).
    :param advice: how to tell duplicates apart, said when there are some.
    :returns: the resource, or ``None`` when ``ignore_missing`` and none.
    :raises NotFound: nothing matches (unless ``ignore_missing``).
    :raises DuplicateResource: more than one resource matches.
    """
    if len(matches) > 1:
        raise exceptions.DuplicateResource(
            f'More than one {kind} exists with the name {name_or_id!r}; {advice}.')
    if matches:
        return matches[0]
    if ignore_missing:
        return None
    raise exceptions.NotFound(f'No {kind} with a name or ID of {name_or_id!r} exists.')


def _next_link(body, collection_key):
    """The next page's URL in any of the shapes OpenStack services use, or ``None``.

    Keystone ``{"links": {"next": url}}``, Glance ``{"next": path}``,
    Nova/Neutron/Cinder ``{"<collection>_links": [{"rel": "next", "href"}]}``.
    """
    links = body.get('links')
    if isinstance(links, dict) and links.get('next'):
        return links['next']
    if isinstance(body.get('next'), str):
        return body['next']
    for link in body.get(f'{collection_key}_links') or ():
        if link.get('rel') == 'next':
            return link.get('href')
    return None


def _resolve(endpoint, link):
    """The URL of a next ``link``: an absolute URL as is, else relative to ``endpoint``.

    Glance's ``/v2/images?marker=…`` is relative to the image endpoint, which
    may have a path of its own (``http://h/image`` behind a proxy), so its
    leading slash does not mean the root of the host.
    """
    if urllib.parse.urlsplit(link).scheme:
        return link
    return endpoint.rstrip('/') + '/' + link.lstrip('/')


def _version_tuple(text):
    major, minor = text.split('.')
    return int(major), int(minor)


def negotiate_microversion(server_max, client_max):
    """The microversion to send: the lower of the server's and the client's maximum.

    Compared as numbers (``'2.9'`` is below ``'2.38'``).

    :param server_max: the maximum the server advertises; empty or ``None``
        for a server without microversions (then ``None``: send no header,
        the server speaks its base version).
    """
    if not server_max:
        return None
    return min(server_max, client_max, key=_version_tuple)


class Proxy:
    """Calls to one service.

    :param connection: the ``stratus.Connection`` whose session, auth plugin,
        interface, region and global request id are used.
    :param service_type: overrides the class's ``service_type``, for a
        service that has no proxy of its own.
    """
    service_type = None
    #: Major API version to discover behind the catalog URL (``'3'``), so
    #: that an unversioned catalog URL works; ``None`` uses the URL as is.
    api_version = None

    def __init__(self, connection, service_type=None):
        self.adapter = adapter.Adapter(
            connection.session, auth=connection.auth,
            service_type=service_type or self.service_type,
            interface=connection.interface, region_name=connection.region_name,
            version=self.api_version, global_request_id=connection.global_request_id,
            raise_exc=False)

    def base_url(self):
        """The versioned base URL this proxy sends requests to, from the catalog."""
        with exceptions.translated():
            return self.adapter.get_endpoint()

    def request(self, method, url, **kwargs):
        """Send one request; any answer of 400 or more raises an ``HttpError``.

        :param url: a path relative to the endpoint, or an absolute URL.
        :param kwargs: as for ``requests``: ``json``, ``params``, ``headers`` …
        """
        with exceptions.translated():
            response = self.adapter.request(url, method, **kwargs)
        if response.status_code >= 400:
            raise exceptions.from_response(response)
        return response

    def _json(self, method, url, **kwargs):
        response = self.request(method, url, **kwargs)
        return response.json() if response.content else {}

    def _get(self, path, key, **params):
        return Resource(self._json('GET', path, params=params or None)[key])

    def _list(self, path, collection_key, **query):
        """Every item of a collection, following next links page after page.

        ``query`` is sent on the first request (``None`` values left out);
        a ``limit`` in it sets the page size, not the number of items.
        """
        url = path
        params = {k: v for k, v in query.items() if v is not None}
        seen = set()
        while True:
            body = self._json('GET', url, params=params or None)
            items = body.get(collection_key) or []
            for item in items:
                yield Resource(item)
            link = _next_link(body, collection_key)
            if not items or not link:
                return
            url = _resolve(self.base_url(), link)
            if url in seen:
                raise exceptions.SDKError(f'The server sent the same next link twice: {url}')
            seen.add(url)
            params = None  # the next link carries the query

    def _create(self, path, key, attrs, method='POST'):
        """Create from ``attrs``; ``None`` values are left out, so the server's defaults apply."""
        body = {key: {k: v for k, v in attrs.items() if v is not None}}
        return Resource(self._json(method, path, json=body)[key])

    def _update(self, path, key, attrs, method='PATCH'):
        """Change the fields in ``attrs`` as given (``None`` clears a field)."""
        return Resource(self._json(method, path, json={key: attrs})[key])

    def _delete(self, path, ignore_missing=True):
        """DELETE ``path``; a 404 is success when ``ignore_missing``."""
        try:
            self.request('DELETE', path)
        except exceptions.NotFound:
            if not ignore_missing:
                raise

    def _head(self, path, **kwargs):
        """True when HEAD ``path`` succeeds, False on 404."""
        try:
            self.request('HEAD', path, **kwargs)
        except exceptions.NotFound:
            return False
        return True

    def _find(self, path, key, name_or_id, *, collection_key=None, ignore_missing=False,
              **filters):
        """The one resource whose id or name is ``name_or_id``.

        As the OpenStack clients do: ``GET path/<value>`` first; when that is
        refused (404, 400 or 403: the value is a name) list ``?name=<value>``
        with ``filters`` and keep the exact matches on id or name.

        :returns: the resource, or ``None`` when ``ignore_missing`` and none.
        :raises NotFound: nothing matches (unless ``ignore_missing``).
        :raises DuplicateResource: more than one resource has that name.
        """
        collection_key = collection_key or f'{key}s'
        kind = key.replace('_', ' ')
        try:
            return self._get(f'{path}/{quote(name_or_id)}', key)
        except (exceptions.NotFound, exceptions.BadRequest, exceptions.Forbidden):
            pass
        matches = [item for item in self._list(path, collection_key, name=name_or_id, **filters)
                   if name_or_id in (item.get('id'), item.get('name'))]
        return single_match(matches, kind, name_or_id, ignore_missing,
                            advice='use its ID (or narrow the search, e.g. by domain)')


class MicroversionProxy(Proxy):
    """A proxy whose every request names a microversion, negotiated on first use.

    On first use it reads the server's version document and then sends
    ``negotiate_microversion(server maximum, max_microversion)`` in
    ``OpenStack-API-Version: <microversion_service> X.Y`` (and in
    ``legacy_version_header`` when set): the server answers in the shape of
    the version asked for, so the proxy pins the one it was written against.
    """
    #: The newest microversion the proxy understands (``'2.60'``).
    max_microversion = None
    #: The service type the header names (``'compute'``).
    microversion_service = None
    #: A header that carries the bare version too, or ``None``.
    legacy_version_header = None

    def __init__(self, connection, service_type=None):
        super().__init__(connection, service_type)
        self._microversion = None

    @property
    def microversion(self):
        """The microversion every request sends (discovered once, on first use)."""
        if self._microversion is None:
            document = super().request('GET', self._version_document_url()).json()
            self._microversion = negotiate_microversion(self._advertised_version(document),
                                                        self.max_microversion) or ''
        return self._microversion or None

    def _version_document_url(self):
        """Where the server's version document is: the endpoint itself (Nova's)."""
        return self.base_url()

    def _advertised_version(self, document):
        """The maximum microversion in the version document (Nova's shape), or ``None``."""
        return (document.get('version') or {}).get('version')

    def request(self, method, url, **kwargs):
        headers = dict(kwargs.pop('headers', None) or {})
        version = self.microversion
        if version:
            headers.setdefault('OpenStack-API-Version', f'{self.microversion_service} {version}')
            if self.legacy_version_header:
                headers.setdefault(self.legacy_version_header, version)
        return super().request(method, url, headers=headers, **kwargs)
