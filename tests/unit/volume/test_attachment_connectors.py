"""A connector whose ``host`` or ``mountpoint`` cannot be stored is a 400, not a 500."""
import pytest

from tests.unit.volume import attach_helpers as h

BAD = [{'host': {'name': 'compute-1'}}, {'host': 'x' * 256}, {'mountpoint': ['/dev/vdb']}]


@pytest.mark.parametrize('connector', BAD)
def test_a_create_with_a_bad_connector_is_400(env, api, connector):
    agent = h.install_agent(env)
    volume = h.made_volume(env)
    response = h.create(api, volume['id'], connector={**h.CONNECTOR, **connector})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert agent.calls == [] and h.status_of(env, volume['id'])[0] == 'available'


@pytest.mark.parametrize('connector', BAD)
def test_an_update_with_a_bad_connector_is_400(env, api, connector):
    agent = h.install_agent(env)
    volume = h.made_volume(env)
    attachment = h.create(api, volume['id']).get_json()['attachment']
    response = api.put(f"attachments/{attachment['id']}",
                       {'attachment': {'connector': {**h.CONNECTOR, **connector}}},
                       version=h.ATTACH)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert agent.calls == []
