"""Flavor bodies as Nova shows them up to 2.60 (``description`` from 2.55).

Below 2.75 Nova shows a swap of 0 as ``""``; clients expect it.
"""
from compute.api import microversion
from compute.api import support


def _links(flavor):
    return support.link(f'flavors/{flavor.flavorid}')


def summary(flavor):
    body = {'id': flavor.flavorid, 'name': flavor.name, 'links': _links(flavor)}
    if microversion.at_least('2.55'):
        body['description'] = flavor.description
    return body


def detail(flavor):
    body = summary(flavor)
    body.update({
        'ram': flavor.memory_mb, 'vcpus': flavor.vcpus, 'disk': flavor.root_gb,
        'swap': flavor.swap or '', 'OS-FLV-EXT-DATA:ephemeral': flavor.ephemeral_gb,
        'OS-FLV-DISABLED:disabled': flavor.disabled,
        'os-flavor-access:is_public': flavor.is_public, 'rxtx_factor': flavor.rxtx_factor,
    })
    return body


def access(flavor, project_ids):
    return {'flavor_access': [{'flavor_id': flavor.flavorid, 'tenant_id': p}
                              for p in project_ids]}
