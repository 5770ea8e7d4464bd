"""The binary names compute service records carry.

``os-services`` shows them and clients filter on them: Tempest, Ansible
and Terraform look for ``nova-compute`` to find hypervisor hosts, so the
records use Nova's names rather than the processes' (``stratus-compute-agent``).
"""
AGENT_BINARY = 'nova-compute'
CONDUCTOR_BINARY = 'nova-conductor'
