"""The instance metadata service (Nova's layout) and the config drive that carries it.

``content`` says what an instance's metadata is; ``tree`` finds a path in
the OpenStack and EC2 trees; ``configdrive`` writes the trees to an ISO;
``auth`` tells which instance asks; ``app`` serves the trees over HTTP.
"""
