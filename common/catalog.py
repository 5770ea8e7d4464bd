"""A service's own entries in the identity catalog, ensured at start-up.

Every API service, when it starts, makes sure the catalog lists it, so
that clients and other services find it (ARCHITECTURE §5).  The call is
idempotent: a restart changes nothing, and a restart with a new URL moves
the endpoint.  It runs with the service's own credentials
(``common.clients.service_connection``); the ``service`` role may create
and update services and endpoints (``identity/policies.py``).
"""
import logging

LOG = logging.getLogger(__name__)


def ensure_catalog_entries(conn, service_type, name, urls, region_id, description=''):
    """Make the catalog hold ``service_type`` with one endpoint per ``urls`` item.

    * The service is the first of that type; it is created (``name``,
      ``description``) when there is none.  An existing one is left as is.
    * For each ``{interface: url}``: an endpoint of that interface in
      ``region_id`` is created when missing, and its URL updated when it
      differs.  Endpoints of other interfaces or regions are left alone.

    :param conn: a ``stratus.Connection`` allowed to manage the catalog.
    :param urls: ``{"public": "http://h:8774/v2.1", "internal": …}``.
    :returns: the service resource.
    """
    identity = conn.identity
    service = next(iter(identity.services(type=service_type)), None)
    if service is None:
        service = identity.create_service(type=service_type, name=name,
                                          description=description, enabled=True)
        LOG.info('Created the %s service %s in the catalog', service_type, service.id)
    existing = {}
    for endpoint in identity.endpoints(service=service, region_id=region_id):
        existing.setdefault(endpoint.interface, endpoint)
    for interface, url in urls.items():
        endpoint = existing.get(interface)
        if endpoint is None:
            identity.create_endpoint(service_id=service.id, interface=interface, url=url,
                                     region_id=region_id, enabled=True)
            LOG.info('Created the %s %s endpoint %s in %s', service_type, interface, url,
                     region_id)
        elif endpoint.url != url:
            identity.update_endpoint(endpoint, url=url)
            LOG.info('Moved the %s %s endpoint in %s from %s to %s', service_type, interface,
                     region_id, endpoint.url, url)
    return service
