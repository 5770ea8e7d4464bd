"""Policy of key pairs, which belong to users rather than projects.

A user manages their own key pairs; a cloud administrator may name another
user's (``user_id``, 2.10).
"""
from compute.policies import ADMIN, rule

OWNER_OR_ADMIN = f'{ADMIN} or user_id:%(user_id)s'

RULES = [
    rule('os-keypairs:index', OWNER_OR_ADMIN, 'List a user\'s key pairs.', 'GET',
         '/os-keypairs'),
    rule('os-keypairs:show', OWNER_OR_ADMIN, 'Show a key pair.', 'GET',
         '/os-keypairs/{keypair_name}'),
    rule('os-keypairs:create', OWNER_OR_ADMIN, 'Create or import a key pair.', 'POST',
         '/os-keypairs'),
    rule('os-keypairs:delete', OWNER_OR_ADMIN, 'Delete a key pair.', 'DELETE',
         '/os-keypairs/{keypair_name}'),
]
