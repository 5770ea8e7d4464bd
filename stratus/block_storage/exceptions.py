"""Errors of the block storage proxy that are not refused HTTP requests.

They are ``SDKError`` subclasses, so a caller that catches ``SDKError``
catches them too.
"""
from stratus import exceptions


class ResourceFailed(exceptions.SDKError):
    """A volume, snapshot or backup being waited for reached a failed status
    (``error``, ``error_extending``, ``error_deleting`` …).

    :ivar resource: the resource as last read.
    """

    def __init__(self, message, resource):
        self.resource = resource
        super().__init__(message)


class WaitTimeout(exceptions.SDKError):
    """A resource did not reach the awaited status (or go away) in time."""
