"""Version-discovery entries in the form keystoneauth and Tempest parse."""


def version_entry(version_id, href, *, status='CURRENT', updated,
                  media_type=None, min_version='', max_version=''):
    """One element of a ``versions`` list, or the body of ``{"version": …}``.

    :param version_id: like ``v3.14`` or ``v2.1``.
    :param href: the versioned base URL, ending with a slash.
    :param media_type: the ``application/vnd.openstack.*`` type, if any.
    :param min_version: smallest microversion ('' when none).
    :param max_version: largest microversion ('' when none).
    """
    entry = {
        'id': version_id,
        'status': status,
        'updated': updated,
        'links': [{'rel': 'self', 'href': href}],
        'media-types': [{'base': 'application/json',
                         'type': media_type or 'application/json'}],
    }
    if min_version or max_version:
        entry['min_version'] = min_version
        entry['version'] = max_version
    return entry
