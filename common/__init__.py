"""Plumbing shared by every Stratus service; holds no business logic."""
import warnings

# oslo.messaging imports oslo.service and futurist, which import eventlet,
# which announces on import that it is deprecated.  Stratus runs on threads
# and never uses eventlet, so the notice is only noise in every command.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
