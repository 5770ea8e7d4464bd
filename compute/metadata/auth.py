"""Which instance a metadata request comes from.

Guests do not reach the metadata API directly: the network service's
metadata proxy (next to the guest's router or DHCP server) knows which
instance owns the source address, and adds ``X-Instance-ID``,
``X-Tenant-ID``, ``X-Forwarded-For`` and ``X-Instance-ID-Signature``, the
hex HMAC-SHA256 of the instance id keyed with
``[metadata] metadata_proxy_shared_secret`` (Nova's and Neutron's scheme).
Only a request whose signature proves it came from the proxy is believed.
"""
import hashlib
import hmac

INSTANCE_ID = 'X-Instance-ID'
TENANT_ID = 'X-Tenant-ID'
FORWARDED_FOR = 'X-Forwarded-For'
SIGNATURE = 'X-Instance-ID-Signature'


class Forbidden(Exception):
    """The request does not prove which instance it comes from (HTTP 403)."""


def sign(secret, instance_id):
    """The ``X-Instance-ID-Signature`` of ``instance_id`` under ``secret``."""
    return hmac.new(secret.encode(), instance_id.encode(), hashlib.sha256).hexdigest()


class Requester:
    """An instance a proxied request proved it speaks for.

    :ivar instance_id: its uuid (``X-Instance-ID``).
    :ivar project_id: the project the proxy says owns it (``X-Tenant-ID``),
        to check against the instance's own.
    :ivar address: the guest's address (``X-Forwarded-For``), or ``None``.
    """

    def __init__(self, instance_id, project_id, address):
        self.instance_id = instance_id
        self.project_id = project_id
        self.address = address


def authenticate(headers, secret):
    """The ``Requester`` that ``headers`` prove.

    :param headers: the request's headers (a case-insensitive mapping).
    :param secret: the shared secret; empty refuses every request, since an
        empty key would let anyone compute a signature.
    :raises Forbidden: a header is missing, no secret is configured, or the
        signature does not match; the message says which.
    """
    if not secret:
        raise Forbidden('The metadata proxy shared secret is not configured.')
    for header in (INSTANCE_ID, TENANT_ID, SIGNATURE):
        if not headers.get(header):
            raise Forbidden(f'The request has no {header} header.')
    instance_id = headers[INSTANCE_ID]
    if not hmac.compare_digest(sign(secret, instance_id).encode(),
                               headers[SIGNATURE].encode('utf-8', 'replace')):
        raise Forbidden(f'The {SIGNATURE} does not match the instance id.')
    address = headers.get(FORWARDED_FOR)
    # The proxy appends the guest's address; the first hop is the guest.
    address = address.split(',')[0].strip() if address else None
    return Requester(instance_id, headers[TENANT_ID], address)
