"""Building blocks of the request-body schemas."""
NAME = {'type': ['string', 'null'], 'maxLength': 255}
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 255}
BOOLEAN = {'type': 'boolean'}
PROJECT_ID = {'type': 'string', 'minLength': 1, 'maxLength': 64}
UUID = {'type': 'string', 'minLength': 1, 'maxLength': 36}
NULLABLE_UUID = {'type': ['string', 'null'], 'maxLength': 36}
IP_ADDRESS = {'type': 'string', 'maxLength': 64}
OWNERSHIP = {'project_id': PROJECT_ID, 'tenant_id': PROJECT_ID}
STANDARD = {'name': NAME, 'description': DESCRIPTION, **OWNERSHIP}
