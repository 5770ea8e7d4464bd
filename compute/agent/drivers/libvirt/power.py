"""Power states of a domain, and stopping one gracefully.

libvirt's states map to ``compute.states`` as in Nova, with one addition:
a shut-off domain holding a managed-save image (a suspended server) is
``SUSPENDED_POWER``, so that the power-state sync does not take a
suspended server for a stopped one.
"""
import logging
import time

import libvirt

from compute import states

LOG = logging.getLogger(__name__)
POLL_SECONDS = 0.5
SHUTDOWN_RETRY_SECONDS = 10  # a guest may miss a power-button press while it boots

_POWER_STATES = {
    libvirt.VIR_DOMAIN_NOSTATE: states.NOSTATE,
    libvirt.VIR_DOMAIN_RUNNING: states.RUNNING,
    libvirt.VIR_DOMAIN_BLOCKED: states.RUNNING,
    libvirt.VIR_DOMAIN_PAUSED: states.PAUSED_POWER,
    libvirt.VIR_DOMAIN_SHUTDOWN: states.SHUTDOWN,
    libvirt.VIR_DOMAIN_SHUTOFF: states.SHUTDOWN,
    libvirt.VIR_DOMAIN_CRASHED: states.CRASHED,
    libvirt.VIR_DOMAIN_PMSUSPENDED: states.SUSPENDED_POWER,
}


def power_state(domain):
    """The ``compute.states`` power state of ``domain``."""
    state = domain.state()[0]
    if state == libvirt.VIR_DOMAIN_SHUTOFF and domain.hasManagedSaveImage(0):
        return states.SUSPENDED_POWER
    return _POWER_STATES.get(state, states.NOSTATE)


def is_active(domain):
    return domain.isActive() == 1


def shutdown(domain, timeout):
    """Press the guest's ACPI power button and wait up to ``timeout`` seconds.

    The press is repeated every ``SHUTDOWN_RETRY_SECONDS`` (a guest still
    booting ignores it), as Nova does.

    :returns: whether the guest is off.
    """
    deadline = time.monotonic() + timeout
    next_press = time.monotonic()
    while is_active(domain):
        now = time.monotonic()
        if now >= deadline:
            return False
        if now >= next_press:
            try:
                domain.shutdown()
            except libvirt.libvirtError:
                if not is_active(domain):  # it went off between the check and the press
                    return True
                raise
            next_press = now + SHUTDOWN_RETRY_SECONDS
        time.sleep(POLL_SECONDS)
    return True


def stop(domain, timeout, instance_uuid):
    """Stop ``domain``: gracefully within ``timeout`` seconds, else hard.

    A paused guest cannot see the power button, so it is stopped hard at once.
    """
    if not is_active(domain):
        return
    if domain.state()[0] != libvirt.VIR_DOMAIN_PAUSED and timeout > 0:
        if shutdown(domain, timeout):
            LOG.info('Instance %s shut down gracefully', instance_uuid)
            return
        LOG.warning('Instance %s did not shut down within %s s; powering it off',
                    instance_uuid, timeout)
    destroy(domain)


def destroy(domain):
    """Power the guest off at once (libvirt's ``destroy``); fine when already off."""
    try:
        domain.destroy()
    except libvirt.libvirtError:
        if is_active(domain):
            raise
