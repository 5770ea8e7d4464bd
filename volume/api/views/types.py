"""``volume_type`` bodies (Cinder's, with the ``os-volume-type-access`` attribute)."""

ACCESS_ATTRIBUTE = 'os-volume-type-access:is_public'


def render(volume_type, specs, with_access_attribute):
    """:param specs: the extra specs the caller may see."""
    body = {'id': volume_type.id, 'name': volume_type.name,
            'is_public': bool(volume_type.is_public), 'extra_specs': specs,
            'description': volume_type.description}
    if with_access_attribute:
        body[ACCESS_ATTRIBUTE] = bool(volume_type.is_public)
    return body
