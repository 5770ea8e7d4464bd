"""Builders shared by the router and floating IP unit tests."""
import sqlalchemy as sa

from network.db import api as db_api


def external_network(api, cidr='172.24.4.0/24', **subnet_attrs):
    """An admin's ``router:external`` network with one subnet: ``(network, subnet)``."""
    network = api.network(as_='cloud_admin', name='public', **{'router:external': True})
    subnet = api.subnet(network['id'], cidr=cidr, as_='cloud_admin', **subnet_attrs)
    return network, subnet


def router(api, as_='member', **attrs):
    response = api.post('/v2.0/routers', json={'router': {'name': 'r', **attrs}}, as_=as_)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()['router']


def set_gateway(api, router_id, network_id, as_='member'):
    response = api.put(f'/v2.0/routers/{router_id}', as_=as_, json={
        'router': {'external_gateway_info': {'network_id': network_id}}})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()['router']


def add_interface(api, router_id, as_='member', **info):
    return api.put(f'/v2.0/routers/{router_id}/add_router_interface', json=info, as_=as_)


def remove_interface(api, router_id, as_='member', **info):
    return api.put(f'/v2.0/routers/{router_id}/remove_router_interface', json=info, as_=as_)


def fault(response):
    return response.get_json()['NeutronError']['type']


def delete_on_lock(monkeypatch, model, row_id, before=False):
    """Make ``db_api.lock`` of ``row_id`` delete the row in the request's own transaction
    (``before`` taking the lock, or just after): a concurrent delete that won the race."""
    real_lock = db_api.lock

    def lock(session, locked_model, locked_id):
        def delete():
            session.execute(sa.delete(model).where(model.id == row_id)
                            .execution_options(synchronize_session=False))
        if (locked_model, locked_id) != (model, row_id):
            return real_lock(session, locked_model, locked_id)
        if before:
            delete()
        result = real_lock(session, locked_model, locked_id)
        if not before:
            delete()
        return result
    monkeypatch.setattr(db_api, 'lock', lock)
