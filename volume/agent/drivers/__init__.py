"""Volume backends: the ``VolumeDriver`` contract (``driver.py``) and its implementations."""
