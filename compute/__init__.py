"""The compute service (Nova v2.1 compatible); built by the [compute-control] issue."""
