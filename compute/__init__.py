"""Compute service (Nova v2.1 compatible): API, conductor with scheduler, host agents."""
