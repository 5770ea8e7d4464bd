"""What the attachment tests share: an agent that answers as the file backend would,
and volumes a backend holds.

``RecordingAgent`` stands in for ``volume.rpcapi.AgentAPI`` (the API's
calls to a backend's agent): it answers ``initialize_connection`` with the
file driver's ``connection_info`` for the volume's path, records every
call, and plays an agent that is down (``fail = 'timeout'``, raising the
timeout oslo.messaging raises) or whose driver failed (``fail = 'error'``).
"""
from volume import rpcapi
from volume import states

SERVER = '0c1e5a4f-2a4e-4b8e-9c1e-5a4f2a4e4b8e'
OTHER_SERVER = '7d3f1b2c-9a8e-4f6d-b5c4-3e2f1a0b9c8d'
CONNECTOR = {'host': 'compute-1', 'ip': '192.0.2.10', 'initiator': None,
             'mountpoint': '/dev/vdb', 'platform': 'x86_64', 'os_type': 'linux'}
VOLUMES_DIR = '/srv/stratus/volumes'
ATTACH = '3.54'  # the microversion the tests speak


class RecordingAgent:

    def __init__(self):
        self.calls = []
        self.fail = None

    def _answer(self, method, backend, volume, connector, info):
        self.calls.append((method, backend, volume['id'], connector))
        if self.fail == 'timeout':
            raise rpcapi.Timeout(f'Timed out waiting for a reply to {method}')
        if self.fail == 'error':
            return rpcapi.ConnectionResult(
                connection_info=None,
                error=f'Volume {volume["id"]} does not exist on this backend.')
        return rpcapi.ConnectionResult(connection_info=info, error=None)

    def initialize_connection(self, ctx, backend, volume, connector):
        path = f'{VOLUMES_DIR}/volume-{volume["id"]}'
        return self._answer('initialize_connection', backend, volume, connector,
                            {'driver_volume_type': 'file',
                             'data': {'device_path': path, 'format': volume['format'],
                                      'name': f'volume-{volume["id"]}'}})

    def terminate_connection(self, ctx, backend, volume, connector):
        return self._answer('terminate_connection', backend, volume, connector, None)

    def named(self, method):
        return [call for call in self.calls if call[0] == method]


def install_agent(env):
    """Make the API of ``env`` talk to a new ``RecordingAgent``; returns it."""
    recording = RecordingAgent()
    env.app.agent = recording
    return recording


def made_volume(env, as_='member', fmt='raw', **attrs):
    """A volume its backend has made (``available``, with its file)."""
    volume = env.available_volume(as_=as_, **attrs)
    env.update_volume(volume['id'], provider_location=f'{VOLUMES_DIR}/volume-{volume["id"]}',
                      format=fmt)
    return volume


def multiattach_type(api):
    return api.volume_type('shared', {'multiattach': '<is> True'})


def status_of(env, volume_id):
    row = env.volume_row(volume_id)
    return row.status, row.attach_status


def create(api, volume_id, server=SERVER, version=ATTACH, **attrs):
    body = {'volume_uuid': volume_id, 'instance_uuid': server, **attrs}
    return api.post('attachments', {'attachment': body}, version=version)


def attach(api, volume_id, server=SERVER):
    """Reserve, connect and complete, as Nova does; the attachment's id."""
    response = create(api, volume_id, server)
    assert response.status_code == 200, response.get_data(as_text=True)
    attachment_id = response.get_json()['attachment']['id']
    response = api.put(f'attachments/{attachment_id}', {'attachment': {'connector': CONNECTOR}},
                       version=ATTACH)
    assert response.status_code == 200, response.get_data(as_text=True)
    response = api.post(f'attachments/{attachment_id}/action', {'os-complete': None},
                        version=ATTACH)
    assert response.status_code == 204, response.get_data(as_text=True)
    return attachment_id


IN_USE = (states.IN_USE, states.ATTACHED)
AVAILABLE = (states.AVAILABLE, states.DETACHED)


def refused(response, code=400):
    """The message of an OpenStack fault body of ``code``."""
    assert response.status_code == code, response.get_data(as_text=True)
    (fault,) = response.get_json().values()
    assert fault['code'] == code and fault['message']
    return fault['message']
