"""Each filter on host states built in memory."""
import logging

import pytest

from compute.conductor.scheduler import filters
from compute.conductor.scheduler.host_state import GroupInfo
from tests.unit.compute.scheduler.factories import host, spec


def passes(host_filter, h, s):
    return host_filter.host_passes(h, s)


@pytest.mark.parametrize('enabled,up,expected', [(True, True, True), (False, True, False),
                                                  (True, False, False)])
def test_compute_filter(enabled, up, expected):
    assert passes(filters.ComputeFilter(), host(enabled=enabled, up=up), spec()) is expected


def test_availability_zone_filter():
    f = filters.AvailabilityZoneFilter()
    in_az1 = host(zone='az1')
    assert passes(f, in_az1, spec())
    assert passes(f, in_az1, spec(zone='az1'))
    assert not passes(f, in_az1, spec(zone='az2'))
    assert passes(f, in_az1, spec(zone='az1', force_host='host1'))
    assert not passes(f, in_az1, spec(zone='az1', force_host='host2'))
    assert passes(f, in_az1, spec(force_host='host1', force_node='host1.example'))
    assert not passes(f, in_az1, spec(force_host='host1', force_node='other'))


def test_ram_filter_counts_the_allocation_ratio():
    f = filters.RamFilter()
    h = host(memory_mb=1000, memory_mb_used=900, ram_allocation_ratio=1.5)  # 600 free
    assert passes(f, h, spec(memory_mb=600))
    assert not passes(f, h, spec(memory_mb=601))


def test_disk_filter_counts_the_allocation_ratio():
    f = filters.DiskFilter()
    h = host(local_gb=10, local_gb_used=10, disk_allocation_ratio=2.0)  # 10 free
    assert passes(f, h, spec(disk_gb=10))
    assert not passes(f, h, spec(disk_gb=11))
    assert passes(f, host(local_gb=0), spec(disk_gb=0))  # boot from volume


def test_core_filter_counts_the_allocation_ratio():
    f = filters.CoreFilter()
    h = host(vcpus=2, vcpus_used=31, cpu_allocation_ratio=16.0)  # 1 free
    assert passes(f, h, spec(vcpus=1))
    assert not passes(f, h, spec(vcpus=2))


class TestImagePropertiesFilter:
    f = filters.ImagePropertiesFilter()

    def test_image_without_properties_fits_any_host(self):
        assert passes(self.f, host(capabilities={}), spec(image_properties={'os_distro': 'x'}))

    @pytest.mark.parametrize('props,expected', [
        ({'hw_architecture': 'x86_64'}, True),
        ({'architecture': 'amd64'}, True),          # legacy name, canonical value
        ({'hw_architecture': 'aarch64'}, False),
        ({'img_hv_type': 'qemu'}, True),
        ({'hypervisor_type': 'xen'}, False),
        ({'hw_vm_mode': 'hvm'}, True),
        ({'vm_mode': 'xen'}, False),
        ({'hw_architecture': 'x86_64', 'img_hv_type': 'kvm'}, False),
    ])
    def test_properties_against_a_qemu_x86_host(self, props, expected):
        assert passes(self.f, host(), spec(image_properties=props)) is expected

    def test_kvm_host_also_runs_qemu_images(self):
        h = host(capabilities={'cpu_arch': 'x86_64', 'hypervisor_type': 'kvm'})
        assert passes(self.f, h, spec(image_properties={'img_hv_type': 'qemu'}))
        assert passes(self.f, h, spec(image_properties={'img_hv_type': 'KVM'}))

    def test_reported_supported_instances_win(self):
        h = host(capabilities={'supported_instances': [['aarch64', 'qemu', 'hvm']]})
        assert passes(self.f, h, spec(image_properties={'hw_architecture': 'aarch64'}))
        assert not passes(self.f, h, spec(image_properties={'hw_architecture': 'x86_64'}))

    def test_host_reporting_nothing_fails_images_that_ask(self):
        h = host(capabilities={}, hypervisor_type='qemu')
        assert not passes(self.f, h, spec(image_properties={'hw_architecture': 'x86_64'}))


def group(policy, members_by_node, max_server_per_host=1):
    return GroupInfo(uuid='g', policy=policy, max_server_per_host=max_server_per_host,
                     members_by_node=members_by_node)


class TestServerGroupFilters:
    affinity = filters.ServerGroupAffinityFilter()
    anti = filters.ServerGroupAntiAffinityFilter()

    def test_no_group_passes(self):
        assert passes(self.affinity, host(), spec())
        assert passes(self.anti, host(), spec())

    def test_affinity_first_member_goes_anywhere(self):
        assert passes(self.affinity, host(node_id=2), spec(group=group('affinity', {})))

    def test_affinity_follows_the_members(self):
        s = spec(group=group('affinity', {1: 1}))
        assert passes(self.affinity, host(node_id=1), s)
        assert not passes(self.affinity, host(node_id=2), s)

    def test_anti_affinity_avoids_the_members(self):
        s = spec(group=group('anti-affinity', {1: 1}))
        assert not passes(self.anti, host(node_id=1), s)
        assert passes(self.anti, host(node_id=2), s)

    def test_anti_affinity_max_server_per_host(self):
        s = spec(group=group('anti-affinity', {1: 1, 2: 2}, max_server_per_host=2))
        assert passes(self.anti, host(node_id=1), s)
        assert not passes(self.anti, host(node_id=2), s)

    def test_soft_policies_filter_nothing(self):
        for policy in ('soft-affinity', 'soft-anti-affinity'):
            s = spec(group=group(policy, {1: 5}))
            assert passes(self.affinity, host(node_id=2), s)
            assert passes(self.anti, host(node_id=1), s)


@pytest.mark.parametrize('have,requirement,expected', [
    ('ssd', 'ssd', True), ('ssd', 'hdd', False),
    ('ssd', '<or> hdd <or> ssd', True), ('nvme', '<or> hdd <or> ssd', False),
    ('a fast disk', '<in> fast', True), ('a slow disk', '<in> fast', False),
    ('a b c', '<all-in> a c', True), ('a b', '<all-in> a c', False),
    ('8', '= 4', True), ('2', '= 4', False),  # Nova's "=" means "at least"
    ('4', '== 4.0', True), ('4', '!= 4', False), ('5', '>= 4', True), ('5', '<= 4', False),
    ('abc', 's== abc', True), ('abc', 's!= abc', False), ('b', 's> a', True),
    ('a', 's>= b', False), ('a', 's< b', True), ('b', 's<= a', False),
    ('x', '==', False),
])
def test_match_extra_spec(have, requirement, expected):
    assert filters.match_extra_spec(have, requirement) is expected


def test_match_extra_spec_numeric_operator_on_text_raises():
    with pytest.raises(ValueError):
        filters.match_extra_spec('fast', '>= 4')


class TestAggregateInstanceExtraSpecsFilter:
    f = filters.AggregateInstanceExtraSpecsFilter()

    def test_scoped_specs_must_match_an_aggregate(self):
        s = spec(flavor_extra_specs={'aggregate_instance_extra_specs:disk': 'ssd',
                                     'hw:cpu_policy': 'dedicated', 'plain': 'x'})
        assert passes(self.f, host(aggregate_metadata={'disk': {'hdd', 'ssd'}}), s)
        assert not passes(self.f, host(aggregate_metadata={'disk': {'hdd'}}), s)
        assert not passes(self.f, host(aggregate_metadata={}), s)

    def test_without_scoped_specs_every_host_passes(self):
        assert passes(self.f, host(), spec(flavor_extra_specs={'hw:cpu_policy': 'dedicated'}))

    def test_a_value_that_is_no_number_fails_the_host(self):
        s = spec(flavor_extra_specs={'aggregate_instance_extra_specs:cores': '>= 4'})
        assert not passes(self.f, host(aggregate_metadata={'cores': {'many'}}), s)
        assert passes(self.f, host(aggregate_metadata={'cores': {'8'}}), s)


def test_run_applies_filters_in_order_and_logs_the_one_that_emptied(caplog):
    hosts = [host('a', 1, memory_mb=1024), host('b', 2, enabled=False)]
    server = '6f1c3b56-8a43-4a0e-9d35-1c2b4b0f2d11'
    with caplog.at_level(logging.INFO, logger=filters.__name__):
        assert filters.run(hosts, spec(memory_mb=512), server) == [hosts[0]]
        assert filters.run(hosts, spec(memory_mb=2048), server) == []
    assert f'Filter RamFilter left no host (of 1) for server {server}' in caplog.text
