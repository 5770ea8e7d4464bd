"""Errors of the compute proxy that are not refused HTTP requests.

They are ``SDKError`` subclasses, so a caller that catches ``SDKError``
catches them too.
"""
from stratus import exceptions


class ServerFailed(exceptions.SDKError):
    """A server awaited by ``wait_for_server`` reached a failed status (``ERROR``).

    :ivar server: the server as last read; its ``fault`` (when the API
        showed one) says why.
    """

    def __init__(self, message, server):
        self.server = server
        super().__init__(message)


class WaitTimeout(exceptions.SDKError):
    """A server did not reach the awaited status (or go away) in time."""
