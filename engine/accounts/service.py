"""Accounts: users, their groups, and API tokens. Nothing here is created automatically.

Passwords and tokens are stored hashed (`engine.accounts.passwords`); a token is shown once.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import ConcurrentChange, Conflict, InvalidInput, NotAllowed, NotFound
from ..store.database import Database
from ..store.models import ApiToken, User, UserGroup, as_utc, iso, utcnow
from ..store.unit_of_work import UnitOfWork
from .passwords import dummy_verify, hash_password, token_hash, verify_password

MAX_NAME_LENGTH = 255
"""Longest user, group or token name (the columns' width)."""
TOKEN_PREFIX = "fb_"
"""Marks a Flowbridge API token, so it is recognizable in logs and secret scanners."""
TOKEN_BYTES = 32
"""Random bytes in a token (256 bits)."""
MAX_TOKEN_LENGTH = 200
"""Anything longer is not one of our tokens and is not hashed."""
TOKEN_TOUCH_SECONDS = 60
"""`last_used_at` is written at most this often per token, not on every request."""
TOKEN_CACHE_SECONDS = 0.0
"""A process trusts a token it found good this long without asking the database again.

Every API request presents its token, and the lookup was a fifth of a start's cost. A token
revoked (or a user disabled, or their groups changed) in this process stops working at once;
in another process (the CLI, a second server) it stops within this many seconds."""
TOKEN_CACHE_SIZE = 4096
"""Tokens remembered at most (then forgotten all at once: a bound, not an eviction policy)."""

# Printable, no whitespace, no comma (BPMN candidateUsers/candidateGroups are comma lists).
_NAME = re.compile(r"[^\s,\x00-\x1f\x7f]+")

# The hot path of every API request: one lookup on the unique token_hash index, joined to the
# user and their groups (one row per group), on the unit of work's connection without the ORM.
_TOKEN_LOOKUP = (
    select(
        ApiToken.id,
        ApiToken.last_used_at,
        User.name,
        User.admin,
        User.disabled,
        UserGroup.group_name,
    )
    .join(User, User.name == ApiToken.user_name)
    .outerjoin(UserGroup, UserGroup.user_name == User.name)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
)


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user's name, their groups, and whether they administer the engine."""

    name: str
    groups: tuple[str, ...] = ()
    admin: bool = False


class AccountService:
    """Creates users and tokens, and answers "who is this?" for passwords and tokens."""

    def __init__(self, db: Database, token_cache_seconds: float = TOKEN_CACHE_SECONDS) -> None:
        self.db = db
        self.token_cache_seconds = token_cache_seconds
        """How long a token found good is trusted without a lookup (0, the default: never): a token
        revoked in another process keeps working for at most this long here."""
        self._known: dict[str, tuple[float, Principal]] = {}
        """Tokens recently seen good, by hash: (when the lookup was made, its principal)."""

    # -- users ---------------------------------------------------------------------------------

    def create_user(
        self, name: str, password: str | None, groups: Sequence[str] = (), admin: bool = False
    ) -> dict[str, Any]:
        """Create a user; `password=None` makes one who can only use API tokens."""
        check_name(name, "user")
        group_names = check_groups(groups)
        stored = hash_password(password) if password is not None else None
        with UnitOfWork(self.db, write=True) as uow:
            if uow.session.get(User, name) is not None:
                raise Conflict(f"user {name!r} already exists")
            now = utcnow()
            user = User(
                name=name,
                password_hash=stored,
                admin=admin,
                disabled=False,
                created_at=now,
                sessions_after=now,
            )
            uow.session.add(user)
            uow.session.flush()
            uow.session.add_all(UserGroup(user_name=name, group_name=g) for g in group_names)
            try:
                uow.commit()
            except IntegrityError as exc:
                raise Conflict(f"user {name!r} already exists") from exc
            return user_view(user, group_names)

    def authenticate(self, name: str, password: str) -> Principal | None:
        """The user, if the password is theirs and they are not disabled; else None.

        An unknown user, or one without a password, costs the same scrypt work as a wrong
        password, so response times do not tell which names exist.
        """
        with UnitOfWork(self.db) as uow:
            user = uow.session.get(User, name) if isinstance(name, str) else None
            groups = _groups_of(uow, name) if user is not None else []
        if user is None or user.password_hash is None:
            dummy_verify(password)
            return None
        if not verify_password(password, user.password_hash) or user.disabled:
            return None
        return Principal(user.name, tuple(groups), user.admin)

    def principal(self, name: str, logged_in_at: float | None = None) -> Principal:
        """The user `name` as a principal: NotFound if there is none, NotAllowed if disabled, or if
        `logged_in_at` (a page session's login time, seconds since the epoch) is before the user's
        sessions ended (`end_sessions`), or before this user was created under this name."""
        with UnitOfWork(self.db) as uow:
            user = _get_user(uow, name)
            groups = _groups_of(uow, name)
        if user.disabled:
            raise NotAllowed(f"user {name!r} is disabled")
        after = as_utc(user.sessions_after or user.created_at).timestamp()
        if logged_in_at is not None and logged_in_at < after:
            raise NotAllowed(f"the session of {name!r} has ended")
        return Principal(user.name, tuple(groups), user.admin)

    def end_sessions(self, name: str) -> None:
        """End every page session of the user, in every process (they log in again)."""
        with UnitOfWork(self.db, write=True) as uow:
            _get_user(uow, name).sessions_after = utcnow()
            uow.commit()

    def delete_user(self, name: str) -> None:
        """Delete a user with their groups and tokens; a new user of the same name inherits nothing."""
        with UnitOfWork(self.db, write=True) as uow:
            user = _get_user(uow, name)
            uow.session.execute(delete(ApiToken).where(ApiToken.user_name == name))
            uow.session.execute(delete(UserGroup).where(UserGroup.user_name == name))
            uow.session.delete(user)
            uow.commit()
        self._forget_tokens()

    def list_users(self) -> list[dict[str, Any]]:
        """All users by name, with their groups."""
        with UnitOfWork(self.db) as uow:
            users = uow.session.scalars(select(User).order_by(User.name)).all()
            memberships: dict[str, list[str]] = {}
            for user_name, group in uow.session.execute(
                select(UserGroup.user_name, UserGroup.group_name).order_by(UserGroup.group_name)
            ):
                memberships.setdefault(user_name, []).append(group)
            return [user_view(u, memberships.get(u.name, [])) for u in users]

    def set_password(self, name: str, password: str) -> None:
        """Replace the user's password (a token-only user can then sign in too)."""
        stored = hash_password(password)
        with UnitOfWork(self.db, write=True) as uow:
            user = _get_user(uow, name)
            user.password_hash = stored
            user.sessions_after = utcnow()  # a new password ends the sessions the old one opened
            uow.commit()
        self._forget_tokens()

    def set_groups(self, name: str, groups: Sequence[str]) -> None:
        """Replace the user's groups with `groups` (empty: no groups)."""
        group_names = check_groups(groups)
        with UnitOfWork(self.db, write=True) as uow:
            _get_user(uow, name)
            uow.session.execute(delete(UserGroup).where(UserGroup.user_name == name))
            uow.session.add_all(UserGroup(user_name=name, group_name=g) for g in group_names)
            uow.commit()
        self._forget_tokens()

    def set_disabled(self, name: str, disabled: bool = True) -> None:
        """Disable (or enable again) a user: a disabled user's password and tokens stop working."""
        with UnitOfWork(self.db, write=True) as uow:
            user = _get_user(uow, name)
            user.disabled = disabled
            if disabled:
                user.sessions_after = utcnow()
            uow.commit()
        self._forget_tokens()

    def any_users(self) -> bool:
        """Whether at least one user exists (a fresh database has none)."""
        with UnitOfWork(self.db) as uow:
            return bool(uow.session.scalar(select(exists().select_from(User))))

    # -- tokens --------------------------------------------------------------------------------

    def create_token(self, user: str, name: str | None = None) -> tuple[str, dict[str, Any]]:
        """A new API token for `user`: (the secret, shown only now; its view)."""
        if name is not None and (not name.strip() or len(name) > MAX_NAME_LENGTH):
            raise InvalidInput(f"a token name is 1 to {MAX_NAME_LENGTH} characters, not only spaces")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        with UnitOfWork(self.db, write=True) as uow:
            _get_user(uow, user)
            token = ApiToken(
                id=str(uuid.uuid4()),
                user_name=user,
                name=name,
                token_hash=token_hash(secret),
                created_at=utcnow(),
                last_used_at=None,
                revoked_at=None,
            )
            uow.session.add(token)
            uow.commit()
            return secret, token_view(token)

    def authenticate_token(self, token: str) -> Principal | None:
        """The token's user, or None for an unknown, revoked or malformed token or a disabled user.

        One indexed read per request; `last_used_at` is written only when it is a minute old.
        """
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
            return None
        digest = token_hash(token)
        known = self._known.get(digest)
        if known is not None and time.monotonic() - known[0] < self.token_cache_seconds:
            return known[1]
        with UnitOfWork(self.db) as uow:
            rows = uow.connection.execute(_TOKEN_LOOKUP, {"token_hash": digest}).all()
        if not rows or rows[0].disabled:
            self._known.pop(digest, None)
            return None
        first = rows[0]
        groups = tuple(sorted(r.group_name for r in rows if r.group_name is not None))
        now = utcnow()
        if first.last_used_at is None or now - as_utc(first.last_used_at) >= timedelta(
            seconds=TOKEN_TOUCH_SECONDS
        ):
            self._touch(first.id, now)
        found = Principal(first.name, groups, bool(first.admin))
        if len(self._known) >= TOKEN_CACHE_SIZE:
            self._known.clear()
        self._known[digest] = (time.monotonic(), found)
        return found

    def _forget_tokens(self) -> None:
        """Drop remembered tokens: a change to a user or token applies at once in this process."""
        self._known.clear()

    def revoke_token(self, token_id: str) -> None:
        """Revoke a token: it stops working at once here, within `token_cache_seconds` elsewhere.

        Revoking it again changes nothing."""
        with UnitOfWork(self.db, write=True) as uow:
            token = uow.session.get(ApiToken, token_id)
            if token is None:
                raise NotFound(f"no token {token_id!r}")
            if token.revoked_at is None:
                token.revoked_at = utcnow()
            uow.commit()
        self._forget_tokens()

    def list_tokens(self, user: str | None = None) -> list[dict[str, Any]]:
        """Tokens not revoked, oldest first, of one user or all; never the secret or its hash."""
        with UnitOfWork(self.db) as uow:
            query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
            if user is not None:
                _get_user(uow, user)
                query = query.where(ApiToken.user_name == user)
            rows = uow.session.scalars(query.order_by(ApiToken.created_at, ApiToken.id)).all()
            return [token_view(t) for t in rows]

    def _touch(self, token_id: str, now: Any) -> None:
        """Record that the token was used; skipped when another writer holds the database."""
        try:
            with UnitOfWork(self.db, write=True) as uow:
                uow.connection.execute(
                    update(ApiToken.__table__)  # type: ignore[arg-type]
                    .where(ApiToken.__table__.c.id == token_id)
                    .values(last_used_at=now)
                )
                uow.commit()
        except ConcurrentChange:
            pass  # last_used_at is informational; a busy database must not fail the request


# -- views and checks ----------------------------------------------------------------------------


def user_view(user: User, groups: Sequence[str]) -> dict[str, Any]:
    """A user as the API and `--json` show it (never the password hash)."""
    return {
        "name": user.name,
        "groups": sorted(groups),
        "admin": bool(user.admin),
        "disabled": bool(user.disabled),
        "created_at": iso(user.created_at),
    }


def token_view(token: ApiToken) -> dict[str, Any]:
    """A token as the API and `--json` show it (never the secret or its hash)."""
    return {
        "id": token.id,
        "user": token.user_name,
        "name": token.name,
        "created_at": iso(token.created_at),
        "last_used_at": iso(token.last_used_at),
    }


def check_name(name: str, what: str) -> None:
    """Refuse an empty, over-long name, or one with whitespace, commas or control characters."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME_LENGTH or not _NAME.fullmatch(name):
        raise InvalidInput(
            f"a {what} name is 1 to {MAX_NAME_LENGTH} characters without spaces or commas, got {name!r}"
        )


def check_groups(groups: Sequence[str]) -> list[str]:
    """Valid group names, duplicates dropped, in their first order."""
    if isinstance(groups, str):
        raise InvalidInput("groups must be a list of names, not one string")
    for group in groups:
        check_name(group, "group")
    return list(dict.fromkeys(groups))


def _get_user(uow: UnitOfWork, name: str) -> User:
    user = uow.session.get(User, name) if isinstance(name, str) else None
    if user is None:
        raise NotFound(f"no user {name!r}")
    return user


def _groups_of(uow: UnitOfWork, name: str) -> list[str]:
    return list(
        uow.session.scalars(
            select(UserGroup.group_name).where(UserGroup.user_name == name).order_by(UserGroup.group_name)
        )
    )
