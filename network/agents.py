"""Agents as the API shows them: ``alive`` is computed from the last report."""
from common.db.types import utcnow

# Which resources an agent type serves, for availability zones.
RESOURCE_OF_TYPE = {'DHCP agent': 'network', 'L3 agent': 'router'}


def is_alive(agent, down_time, now=None):
    now = now or utcnow()
    return (now - agent.heartbeat_timestamp).total_seconds() <= down_time


def zones(agents, down_time):
    """``[{name, resource, state}]`` of the zones the agents are in."""
    found = {}
    for agent in agents:
        resource = RESOURCE_OF_TYPE.get(agent.agent_type)
        if resource is None or not agent.availability_zone:
            continue
        key = (agent.availability_zone, resource)
        up = agent.admin_state_up and is_alive(agent, down_time)
        found[key] = found.get(key, False) or up
    return [{'name': name, 'resource': resource,
             'state': 'available' if up else 'unavailable'}
            for (name, resource), up in sorted(found.items())]
