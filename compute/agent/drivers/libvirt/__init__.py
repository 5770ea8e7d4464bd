"""The libvirt virt driver: guests under libvirt/QEMU (``[agent] virt_driver = libvirt``).

``driver.LibvirtDriver`` orchestrates; each other module has one job:
``host`` (the libvirt connection and the domains that are ours),
``guest_config`` (domain XML, pure), ``power`` (states, graceful shutdown),
``layout`` (where an instance's files live), ``imagecache`` (images
fetched once per host), ``disks`` (qemu-img), ``vifs`` (taps and
bridges), ``instance_build`` (an instance's files for a spawn or a
resize) and ``commands`` (running host tools).
"""
