"""Errors of the image proxy that are not refused HTTP requests.

They are ``SDKError`` subclasses, so a caller that catches ``SDKError``
catches them too.
"""
from stratus import exceptions


class ChecksumMismatch(exceptions.SDKError):
    """Downloaded data does not match the hash the image service recorded for it.

    The partial file (when the destination was a path) has been removed.
    """


class ImageFailed(exceptions.SDKError):
    """An image awaited by ``wait_for_status`` reached a failed status (``killed``)."""


class WaitTimeout(exceptions.SDKError):
    """An image did not reach the awaited status in time."""
