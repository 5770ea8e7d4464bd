from image.api.views import iso


def render(member):
    return {'image_id': member.image_id, 'member_id': member.member, 'status': member.status,
            'created_at': iso(member.created_at), 'updated_at': iso(member.updated_at),
            'schema': '/v2/schemas/member'}
