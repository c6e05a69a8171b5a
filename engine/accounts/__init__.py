"""Accounts: users, their groups and API tokens, and who may see and do what (DESIGN §6a).

`service` keeps users, groups and tokens (nothing is created automatically); `passwords` hashes
passwords and tokens at rest; `access` is the one rule on user tasks that the runtime, the task
service, the API and the pages apply.
"""

from .access import check_may_do, check_may_see, check_may_start, may_do, may_do_view, may_start
from .passwords import hash_password, token_hash, verify_password
from .service import AccountService, Principal, check_groups, check_name, token_view, user_view

__all__ = [
    "AccountService",
    "Principal",
    "check_groups",
    "check_may_do",
    "check_may_see",
    "check_may_start",
    "check_name",
    "hash_password",
    "may_do",
    "may_do_view",
    "may_start",
    "token_hash",
    "token_view",
    "user_view",
    "verify_password",
]
