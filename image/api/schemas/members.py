# A project id: the image_members.member column holds 64 characters.
MEMBER_ID = {'type': 'string', 'minLength': 1, 'maxLength': 64}

# openstacksdk sends the whole member resource (member, status…) in both
# requests; like Glance, only the keys that matter are read.
create = {'type': 'object', 'required': ['member'], 'properties': {'member': MEMBER_ID}}
update = {'type': 'object', 'required': ['status'],
          'properties': {'status': {'type': 'string',
                                    'enum': ['pending', 'accepted', 'rejected']}}}

_MEMBER = {'name': 'member', 'properties': {
    'image_id': {'type': 'string'}, 'member_id': {'type': 'string'},
    'status': {'type': 'string', 'enum': ['pending', 'accepted', 'rejected']},
    'created_at': {'type': 'string'}, 'updated_at': {'type': 'string'},
    'schema': {'type': 'string', 'readOnly': True}}}


def member_document():
    return _MEMBER


def members_document():
    return {'name': 'members', 'properties': {
        'members': {'type': 'array', 'items': _MEMBER}, 'schema': {'type': 'string'}},
        'links': [{'rel': 'describedby', 'href': '{schema}'}]}
