"""Publishing a service API in the identity catalog when it starts.

The API process tries for a while (identity may be starting too, as in
stack.sh), then serves anyway and logs loudly: a cloud whose catalog lacks
an entry is degraded, not down, and the next restart tries again.
"""
import logging
import time

from keystoneauth1 import exceptions as ks_exceptions

from common import catalog
from common import clients
from stratus import exceptions as sdk_exceptions

LOG = logging.getLogger(__name__)


def register_api(conf, service_type, name, description, path='', attempts=30, delay=2.0):
    """Ensure ``service_type`` lists this API's public and internal URLs.

    :param path: appended to ``[api] public_url``/``internal_url`` (``/v2.1``).
    :returns: True when the catalog is up to date.
    """
    if not conf.api.public_url:
        LOG.warning('[api] public_url is not set: the %s API is not published in the '
                    'catalog', service_type)
        return False
    urls = {'public': conf.api.public_url.rstrip('/') + path,
            'internal': (conf.api.internal_url or conf.api.public_url).rstrip('/') + path}
    for attempt in range(1, attempts + 1):
        try:
            catalog.ensure_catalog_entries(clients.service_connection(conf), service_type,
                                           name, urls, conf.api.region_name, description)
            LOG.info('The catalog lists %s at %s', service_type, urls['public'])
            return True
        except (ks_exceptions.MissingAuthPlugin, ks_exceptions.Unauthorized,
                sdk_exceptions.Unauthorized, sdk_exceptions.Forbidden) as exc:
            # Waiting does not fix credentials or permissions: say so now.
            LOG.error('The %s API is NOT in the catalog: the [service_user] credentials '
                      'are missing or may not manage the catalog: %s', service_type, exc)
            return False
        except (ks_exceptions.ClientException, sdk_exceptions.SDKError) as exc:
            LOG.warning('Could not register %s in the catalog (attempt %d of %d): %s',
                        service_type, attempt, attempts, exc)
            time.sleep(delay)
    LOG.error('The %s API is NOT in the catalog: clients will not find it until it '
              'registers (restart it once identity answers)', service_type)
    return False
