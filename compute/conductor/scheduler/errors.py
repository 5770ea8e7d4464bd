"""The one error the scheduler raises."""
from common import exceptions


class NoValidHost(exceptions.StratusError):
    """No host passes the filters, or every fitting host was lost to other claims.

    The conductor records the message as the server's fault, as Nova does
    (code 500, "No valid host was found. …").
    """
    msg_fmt = 'No valid host was found. %(reason)s'
