"""The guest image boots under real libvirt/QEMU and does what a cloud image must.

Each test boots a real guest (software emulation) and reads its serial
console: the login banner with the hostname from the metadata and the
address dnsmasq leased, the user-data script's output, root's authorized
keys; an SSH login with the key from the metadata; an ACPI shutdown. And the
guest still comes up, without hanging, when there is no metadata, no
network or no root disk at all.
"""
import os
import subprocess
import uuid

from tests.functional.guest import metadata, network

BANNER = (r'=== Stratus guest (?P<hostname>\S+) ready: (?P<interfaces>.*) '
          r'\(login as root over SSH\) ===')
DEFAULT_HOSTNAME = 'stratus-guest'
BOOT_TIMEOUT = 120  # wall seconds to the banner, with room for a loaded 2-core host
SHUTDOWN_TIMEOUT = 60


def ssh_key(workdir):
    """A new ed25519 key pair: (private key path, public key line)."""
    path = os.path.join(workdir, 'id_ed25519')
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'stratus-test',
                    '-f', path], check=True)
    with open(f'{path}.pub') as f:
        return path, f.read().strip()


def user_data_script(token):
    """A user-data script whose output proves it ran (the marker is computed, so
    it appears on the console only if the script ran) and shows root's keys."""
    return (f'#!/bin/sh\n'
            f'echo "user-data ran: $((6 * 7))-{token}"\n'
            f'echo "authorized_keys: $(cat /root/.ssh/authorized_keys)"\n'
            f'echo "route to metadata: $(ip route show 169.254.169.254)"\n')


def test_config_drive_network_ssh_and_acpi_shutdown(lan, boot, workdir, record_boot_time):
    key_path, public_key = ssh_key(workdir)
    mac = network.random_mac()
    address = lan.add_host(mac)
    lan.start_dhcp()
    hostname = f'vm-{uuid.uuid4().hex[:8]}'
    token = uuid.uuid4().hex
    drive = metadata.make_config_drive(os.path.join(workdir, 'config-drive.iso'),
                                       metadata.meta_data(hostname, {'testkey': public_key}),
                                       user_data_script(token))

    guest = boot(config_drive=drive, nics=[(lan.add_tap(), mac)])
    banner, wall = guest.wait_for_console(BANNER, BOOT_TIMEOUT)
    console = guest.console()
    record_boot_time('config drive + DHCP', wall, console)

    assert banner['hostname'] == hostname
    assert banner['interfaces'] == f'eth0 {address}'
    assert 'stratus: metadata from the config drive' in console
    assert f'user-data ran: 42-{token}' in console
    assert f'authorized_keys: {public_key}' in console

    login = lan.try_in_namespace(
        'ssh', '-i', key_path, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
        '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=30',
        f'root@{address}', 'hostname; id -u')
    assert login.returncode == 0, login.stderr
    assert login.stdout.split() == [hostname, '0']

    guest.shutdown(SHUTDOWN_TIMEOUT)
    assert 'stratus: shutting down' in guest.console()


def test_config_drive_on_a_virtio_disk_and_a_reboot(boot, workdir):
    """The user data runs once per instance: not again after a reboot."""
    hostname = f'vm-{uuid.uuid4().hex[:8]}'
    token = uuid.uuid4().hex
    drive = metadata.make_config_drive(os.path.join(workdir, 'config-drive.iso'),
                                       metadata.meta_data(hostname, {}), user_data_script(token))

    guest = boot(config_drive=drive, config_drive_bus='virtio')
    banner, _ = guest.wait_for_console(BANNER, BOOT_TIMEOUT)

    assert banner['hostname'] == hostname
    assert 'stratus: metadata from the config drive /dev/vdb' in guest.console()
    assert f'user-data ran: 42-{token}' in guest.console()

    guest.reboot()
    again, _ = guest.wait_for_console(
        r'(?s)reboot: Power down.*user-data already ran for this instance.*' + BANNER,
        BOOT_TIMEOUT)

    assert again['hostname'] == hostname
    assert guest.console().count(f'user-data ran: 42-{token}') == 1


def test_metadata_service(lan, boot, workdir, record_boot_time):
    _, public_key = ssh_key(workdir)
    hostname = f'vm-{uuid.uuid4().hex[:8]}'
    token = uuid.uuid4().hex
    lan.serve_metadata(metadata.write_tree(
        os.path.join(workdir, 'metadata'), metadata.meta_data(hostname, {'k': public_key}),
        user_data_script(token)))
    mac = network.random_mac()
    address = lan.add_host(mac)
    lan.start_dhcp(metadata_route=True)

    guest = boot(nics=[(lan.add_tap(), mac)])
    banner, wall = guest.wait_for_console(BANNER, BOOT_TIMEOUT)
    console = guest.console()
    record_boot_time('metadata service + DHCP', wall, console)

    assert banner['hostname'] == hostname
    assert banner['interfaces'] == f'eth0 {address}'
    assert 'stratus: metadata from the metadata service' in console
    assert f'user-data ran: 42-{token}' in console
    assert f'authorized_keys: {public_key}' in console
    # The classless static route of the DHCP lease was installed.
    assert f'route to metadata: 169.254.169.254 via {network.SERVER_ADDRESS}' in console


def test_boots_without_metadata(lan, boot, record_boot_time):
    """DHCP and a default route, but no config drive and nothing at 169.254.169.254:
    the metadata requests time out and the guest comes up with its defaults."""
    mac = network.random_mac()
    address = lan.add_host(mac)
    lan.start_dhcp()

    guest = boot(nics=[(lan.add_tap(), mac)])
    banner, wall = guest.wait_for_console(BANNER, BOOT_TIMEOUT)
    record_boot_time('no metadata (requests time out) + DHCP', wall, guest.console())

    assert banner['hostname'] == DEFAULT_HOSTNAME
    assert banner['interfaces'] == f'eth0 {address}'
    assert 'stratus: no metadata (no config drive, no metadata service)' in guest.console()


def test_boots_without_network(boot, record_boot_time):
    guest = boot()
    banner, wall = guest.wait_for_console(BANNER, BOOT_TIMEOUT)
    record_boot_time('no NIC', wall, guest.console())

    assert banner['hostname'] == DEFAULT_HOSTNAME
    assert banner['interfaces'] == 'no network interface'


def test_nic_without_dhcp_reports_no_address(lan, boot, record_boot_time):
    guest = boot(nics=[(lan.add_tap(), network.random_mac())])
    banner, wall = guest.wait_for_console(BANNER, BOOT_TIMEOUT)
    record_boot_time('NIC without DHCP', wall, guest.console())

    assert banner['interfaces'] == 'eth0 no address'


def test_without_root_disk_the_initramfs_says_so_and_opens_a_shell(boot):
    guest = boot(disk=False, extra_cmdline='rootdelay=2')
    guest.wait_for_console(r'initramfs: no root disk: /dev/vda did not appear within 2 s',
                           BOOT_TIMEOUT)
    guest.wait_for_console(r'initramfs: starting a shell on the console', 30)
