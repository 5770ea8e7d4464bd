"""Bodies of ``POST /volumes/{id}/action``, one per action (Cinder's).

The statuses of ``os-reset_status`` are checked by the view, which words
the refusal as Cinder does.
"""
from volume.api.schemas.common import BOOLEAN, SIZE, action

_STATUS = {'type': ['string', 'null'], 'maxLength': 32}

extend = action('os-extend', {'new_size': SIZE}, required=['new_size'])
set_bootable = action('os-set_bootable', {'bootable': BOOLEAN}, required=['bootable'])
update_readonly_flag = action('os-update_readonly_flag', {'readonly': BOOLEAN},
                              required=['readonly'])
reset_status = action('os-reset_status', {'status': _STATUS, 'attach_status': _STATUS,
                                          'migration_status': _STATUS})
force_delete = action('os-force_delete', {}, allow_null=True)
