"""Keep waffle's cache of a flag's users and groups in step with every change of membership.

waffle flushes a flag's cached user and group ids on ``post_add`` and ``post_remove`` only, so after
``flag.users.clear()``, ``flag.groups.clear()``, ``user.flag_set.clear()`` or ``group.flag_set.clear()``
(code, a shell, a data migration) it keeps serving the old ids from the cache (memcached, shared by
every LMS process) while the database says otherwise. These receivers flush the flags a clear
touched, from either side, using waffle's public ``Flag.flush()``. Every membership change also
flushes once more after commit: a reader in another process could otherwise cache the old rows
again between the flush inside the transaction and the commit.
"""

from django.db import transaction
from waffle import get_waffle_flag_model

# The flags a reverse-side clear is about to empty, by (through model, instance) until post_clear.
_PENDING_ATTR = "_waffle_enrollments_flags_to_flush"


def _flush(flags):
    for flag in flags:
        flag.flush()
        transaction.on_commit(flag.flush)


def _flags_of(instance, sender):
    """The flags whose users (or groups, after sender) include ``instance``, a user or a group."""
    Flag = get_waffle_flag_model()
    field = "users" if sender is Flag.users.through else "groups"
    return list(Flag.objects.filter(**{field: instance}))


def membership_changed(sender, instance, action, reverse, pk_set, **kwargs):
    Flag = get_waffle_flag_model()
    if isinstance(instance, Flag):
        if action in ("post_add", "post_remove", "post_clear"):
            _flush([instance])
        return
    # The user's or the group's side: instance is a user or group, pk_set the flags' ids.
    if action == "pre_clear":
        setattr(instance, _PENDING_ATTR, _flags_of(instance, sender))
    elif action == "post_clear":
        _flush(instance.__dict__.pop(_PENDING_ATTR, []))
    elif action in ("post_add", "post_remove") and pk_set:
        _flush(Flag.objects.filter(pk__in=pk_set))


def connect():
    from django.db.models.signals import m2m_changed

    Flag = get_waffle_flag_model()
    for through in (Flag.users.through, Flag.groups.through):
        m2m_changed.connect(membership_changed, sender=through, dispatch_uid=f"waffle_enrollments.cache.{through}")
