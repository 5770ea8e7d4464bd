"""The image format inspector: what an upload really is, before it is used.

Every upload is inspected before the image becomes ``active``
(reliability anchors §1.1, target S1): the real format is detected from
the bytes and must match ``disk_format``; images that would make qemu
open another file (qcow2 backing or data files, VMDK extents, VHD, VHDX
and VDI parents) or whose headers lie about their size are refused with
:class:`ImageRejected`, and the virtual size is read from the header.

Pure Python on purpose: qemu-img must never see a file before it has
passed, because qemu-img is what the attacks target.  One module per
format (``qcow2``, ``vmdk`` with ``vmdk_descriptor``, ``vhd``, ``vhdx``,
``vdi``, ``iso``, ``foreign``), bounded reads in ``reader`` and the
decisions in ``dispatcher``.
"""
from image.inspector.dispatcher import Inspection
from image.inspector.dispatcher import inspect_file
from image.inspector.dispatcher import MAX_VIRTUAL_SIZE
from image.inspector.dispatcher import SUPPORTED_DISK_FORMATS
from image.inspector.errors import ImageRejected

__all__ = ['ImageRejected', 'Inspection', 'inspect_file', 'MAX_VIRTUAL_SIZE',
           'SUPPORTED_DISK_FORMATS']
