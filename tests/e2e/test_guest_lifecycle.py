"""A real guest through the whole life the issue names, with openstacksdk.

Create (config drive, key pair, user-data script) and its console banner;
stop/start; reboot; snapshot to an image and a second server booted from
that image; resize (cold, on this one host) with confirm; rebuild; delete — after
which the hypervisor has no domain, disk, console file or directory of
either server.  Guests are the all-in-one's own image (``stratus-guest``,
built by devstack from Debian's kernel, busybox and dropbear).
"""
import base64
import glob
import os
import re
import time

import pytest

from tests.e2e.conftest import GUEST_IMAGE

BOOT_WAIT = 240  # seconds to ACTIVE and to the banner: guests are emulated (TCG)
USER_DATA_MARKER = 'e2e-user-data-ran'
USER_DATA = f'#!/bin/sh\necho {USER_DATA_MARKER} "$(cat /root/.ssh/authorized_keys)"\n'


def banners(member, server):
    """The ready banners in the console so far, as ``(hostname, interfaces)``."""
    output = member.compute.get_server_console_output(server)['output']
    return re.findall(r'=== Stratus guest (\S+) ready: (.*?) \(login as root', output)


def wait_for_banners(member, server, count):
    """Until the console shows ``count`` banners (one per boot); returns them."""
    deadline = time.monotonic() + BOOT_WAIT
    while True:
        found = banners(member, server)
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, (
            f'{len(found)} banners, not {count}, in the console of {server.id} after '
            f'{BOOT_WAIT} s:\n' + member.compute.get_server_console_output(server)['output'][-3000:])
        time.sleep(2)


def wait_status(member, server, status):
    return member.compute.wait_for_server(server, status=status, wait=BOOT_WAIT)


def leftovers(hypervisor, server_id):
    """Domains and instance files of ``server_id`` still on this host."""
    left = [f'domain {server_id}'] if server_id in hypervisor.domain_uuids() else []
    return left + glob.glob(os.path.join(hypervisor.instances_path, f'*{server_id}*'))


@pytest.fixture
def guest_kit(member, unique_name):
    """The image, flavor and a new key pair of project demo."""
    image = member.image.find_image(GUEST_IMAGE, ignore_missing=False)
    keypair = member.compute.create_keypair(name=unique_name('key'))
    yield image, member.compute.find_flavor('m1.nano', ignore_missing=False), keypair
    member.compute.delete_keypair(keypair, ignore_missing=True)


def test_guest_life(member, hypervisor, guest_kit, unique_name):
    image, flavor, keypair = guest_kit
    made = []
    try:
        server = member.compute.create_server(
            name=unique_name('vm'), image_id=image.id, flavor_id=flavor.id, networks='none',
            config_drive=True, key_name=keypair.name,
            user_data=base64.b64encode(USER_DATA.encode()).decode())
        made.append(server.id)
        server = wait_status(member, server, 'ACTIVE')
        [(hostname, interfaces)] = wait_for_banners(member, server, 1)
        # Nova's hostname of the display name: "_" and "." become "-".
        assert hostname == re.sub(r'[_.]', '-', server.name).lower()
        assert interfaces == 'no network interface'
        console = member.compute.get_server_console_output(server)['output']
        assert f'{USER_DATA_MARKER} {keypair.public_key.strip()}' in console
        assert hypervisor.domain_state(server.id) == 'running'

        member.compute.stop_server(server)
        wait_status(member, server, 'SHUTOFF')
        assert hypervisor.domain_state(server.id) == 'shut off'
        member.compute.start_server(server)
        wait_status(member, server, 'ACTIVE')
        wait_for_banners(member, server, 2)
        member.compute.reboot_server(server, 'SOFT')
        wait_status(member, server, 'ACTIVE')
        wait_for_banners(member, server, 3)

        snapshot = member.compute.create_server_image(server, unique_name('snap'), wait=True,
                                                      timeout=BOOT_WAIT)
        try:
            from_snapshot = member.compute.create_server(
                name=unique_name('from-snap'), image_id=snapshot.id, flavor_id=flavor.id,
                networks='none', config_drive=True)
            made.append(from_snapshot.id)
            wait_status(member, from_snapshot, 'ACTIVE')
            wait_for_banners(member, from_snapshot, 1)
            member.compute.delete_server(from_snapshot)
            member.compute.wait_for_delete(from_snapshot, wait=BOOT_WAIT)
        finally:
            member.image.delete_image(snapshot, ignore_missing=True)

        bigger = member.compute.find_flavor('m1.micro', ignore_missing=False)
        member.compute.resize_server(server, bigger.id)
        wait_status(member, server, 'VERIFY_RESIZE')
        assert hypervisor.domain_memory_kib(server.id) == bigger.ram * 1024
        member.compute.confirm_server_resize(server)
        server = wait_status(member, server, 'ACTIVE')
        assert server.flavor['original_name'] == 'm1.micro'
        # The resized guest is a new domain with a new console log; it booted
        # from its own disk: user-data, which runs once per instance, did not run again.
        wait_for_banners(member, server, 1)
        console = member.compute.get_server_console_output(server)['output']
        assert 'user-data already ran' in console and USER_DATA_MARKER not in console

        # Rebuild: a new root disk from the image, so user-data runs again.
        member.compute.rebuild_server(server, image.id)
        server = wait_status(member, server, 'ACTIVE')
        assert server.image.id == image.id
        wait_for_banners(member, server, 1)
        assert USER_DATA_MARKER in member.compute.get_server_console_output(server)['output']

        member.compute.delete_server(server)
        member.compute.wait_for_delete(server, wait=BOOT_WAIT)
    finally:
        for server_id in made:
            left = member.compute.find_server(server_id, ignore_missing=True)
            if left is not None:
                member.compute.delete_server(left)
                member.compute.wait_for_delete(left, wait=BOOT_WAIT)
    for server_id in made:
        assert leftovers(hypervisor, server_id) == []
