"""Power states and graceful shutdown, against a stand-in for ``virDomain``.

libvirt is the process boundary here: the stand-in answers ``state()``,
``isActive()``, ``shutdown()`` and ``destroy()`` like a domain whose guest
handles (or ignores) the ACPI power button.
"""
import libvirt
import pytest

from compute import states
from compute.agent.drivers.libvirt import power


class Domain:
    def __init__(self, state=libvirt.VIR_DOMAIN_RUNNING, presses_to_stop=1, saved=False):
        self._state = state
        self.presses_to_stop = presses_to_stop  # 0: ignores the power button
        self.saved = saved
        self.presses = 0
        self.destroyed = False

    def state(self):
        return [self._state, 0]

    def isActive(self):
        return int(self._state not in (libvirt.VIR_DOMAIN_SHUTOFF,))

    def hasManagedSaveImage(self, flags):
        return int(self.saved)

    def shutdown(self):
        self.presses += 1
        if self.presses_to_stop and self.presses >= self.presses_to_stop:
            self._state = libvirt.VIR_DOMAIN_SHUTOFF

    def destroy(self):
        self.destroyed = True
        self._state = libvirt.VIR_DOMAIN_SHUTOFF


@pytest.fixture(autouse=True)
def fast_clock(monkeypatch):
    monkeypatch.setattr(power, 'POLL_SECONDS', 0.01)
    monkeypatch.setattr(power, 'SHUTDOWN_RETRY_SECONDS', 0.05)


@pytest.mark.parametrize('state, saved, expected', [
    (libvirt.VIR_DOMAIN_RUNNING, False, states.RUNNING),
    (libvirt.VIR_DOMAIN_BLOCKED, False, states.RUNNING),
    (libvirt.VIR_DOMAIN_PAUSED, False, states.PAUSED_POWER),
    (libvirt.VIR_DOMAIN_SHUTOFF, False, states.SHUTDOWN),
    (libvirt.VIR_DOMAIN_SHUTOFF, True, states.SUSPENDED_POWER),
    (libvirt.VIR_DOMAIN_CRASHED, False, states.CRASHED),
    (libvirt.VIR_DOMAIN_PMSUSPENDED, False, states.SUSPENDED_POWER),
])
def test_power_states(state, saved, expected):
    assert power.power_state(Domain(state, saved=saved)) == expected


def test_graceful_stop():
    domain = Domain()
    power.stop(domain, timeout=5, instance_uuid='u')
    assert domain.presses == 1 and not domain.destroyed


def test_the_press_is_repeated_for_a_guest_still_booting():
    domain = Domain(presses_to_stop=3)
    assert power.shutdown(domain, timeout=5)
    assert domain.presses == 3


def test_a_guest_ignoring_the_button_is_stopped_hard_after_the_timeout():
    domain = Domain(presses_to_stop=0)
    power.stop(domain, timeout=0.2, instance_uuid='u')
    assert domain.presses >= 1 and domain.destroyed


def test_a_paused_guest_or_no_timeout_means_a_hard_stop_at_once():
    for domain, timeout in ((Domain(libvirt.VIR_DOMAIN_PAUSED), 5), (Domain(), 0)):
        power.stop(domain, timeout=timeout, instance_uuid='u')
        assert domain.presses == 0 and domain.destroyed


def test_stopping_a_stopped_guest_does_nothing():
    domain = Domain(libvirt.VIR_DOMAIN_SHUTOFF)
    power.stop(domain, timeout=5, instance_uuid='u')
    assert domain.presses == 0 and not domain.destroyed
