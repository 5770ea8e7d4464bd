"""Neutron's standard attributes, rendered the same way for every resource."""


def timestamp(value):
    return value.strftime('%Y-%m-%dT%H:%M:%SZ') if value is not None else None


def standard(row):
    """id, project/tenant, name, description, times and revision of ``row``.

    No ``tags``: clients expect them only with the ``standard-attr-tag``
    extension, which this API does not offer.
    """
    return {
        'id': row.id,
        'name': row.name,
        'project_id': row.project_id,
        'tenant_id': row.project_id,
        'description': row.description,
        'created_at': timestamp(row.created_at),
        'updated_at': timestamp(row.updated_at),
        'revision_number': row.revision_number,
    }
