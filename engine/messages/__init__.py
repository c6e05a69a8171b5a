"""Messages: which instances wait for which message, and delivering one to them.

`waits` reads what a workflow waits for (and the correlation keys a model declares); the step
effect in `subscriptions` keeps the `message_subscriptions` rows in step with every instance and
turns thrown messages into jobs; `service` correlates a message to the waiting instances, or
starts the processes it starts.
"""

from .service import MessageService
from .subscriptions import JOB_KIND as MESSAGE_JOB_KIND
from .subscriptions import SubscriptionEffect
from .waits import Message, matches, message_waits

__all__ = ["MESSAGE_JOB_KIND", "Message", "MessageService", "SubscriptionEffect", "matches", "message_waits"]
