"""Enroll, revoke, expire: the only code that changes enrollments or Flag.users.

Concurrency: every change takes a row lock on the waffle Flag first (``select_for_update``) and
then works inside one transaction, so changes to one flag run one after the other and cannot
lose a membership (e.g. one request removing the user while another records the membership as
pre-existing). The lock order is always Flag, then Enrollment.

Membership goes through waffle's own ``Flag.users`` manager: its ``m2m_changed`` handler flushes
waffle's cache. The flush runs inside the transaction, so a reader could cache the old state again
before commit; flushing once more after commit closes that window.

Deadlocks: MySQL/MariaDB may still pick one of two transactions as a deadlock victim (gap locks of
InnoDB reach past one flag's rows) and roll it back whole; each change is then run again, up to
three times, from its first statement. Inside a transaction opened by the caller (ATOMIC_REQUESTS)
nothing can be retried: the deadlock reaches the view, which answers 409 (see exceptions.py).
"""

from dataclasses import dataclass
from datetime import datetime


from django.db import OperationalError, connection, transaction
from django.utils import timezone
from waffle.models import Flag

from .exceptions import Conflict, NotFound, is_deadlock
from .models import AuditAction, AuditEntry, EndReason, Enrollment


class FlagNotFound(NotFound):
    pass


class EnrollmentNotFound(NotFound):
    pass


class AlreadyEnrolled(Conflict):
    pass


class NotEnrollable(Conflict):
    pass


class AlreadyEnded(Conflict):
    pass


@dataclass(frozen=True)
class EndResult:
    enrollment: Enrollment
    membership: str


def _username(user):
    return user.get_username() if user is not None else ""


def _audit(action, enrollment, actor, membership, reason=""):
    AuditEntry.objects.create(
        action=action,
        enrollment=enrollment,
        flag_name=enrollment.flag_name,
        user=enrollment.user,
        username=_username(enrollment.user),
        actor=actor,
        actor_username=_username(actor),
        reason=reason,
        membership=membership,
        expires_at=enrollment.expires_at,
    )


DEADLOCK_ATTEMPTS = 3


def _retrying(change):
    """Runs ``change`` (one whole transaction) again if the database chose it as a deadlock victim."""
    if connection.in_atomic_block:
        return change()
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            return change()
        except OperationalError as error:
            if not is_deadlock(error) or attempt == DEADLOCK_ATTEMPTS:
                raise


def _flush_after_commit(flag):
    transaction.on_commit(flag.flush)


def enroll(*, flag_name: str, user, actor, reason: str, expires_at: datetime, check=None) -> Enrollment:
    """Put ``user`` in ``Flag.users`` until ``expires_at`` and record it.

    ``check(flag)`` may raise an ApiError after the flag row is locked (used for the
    everyone=Yes/No rule, which must be read under the lock).
    """

    def attempt():
        with transaction.atomic():
            flag = Flag.objects.select_for_update().filter(name=flag_name).first()
            if flag is None:
                raise FlagNotFound(f"No Waffle flag is named '{flag_name}'. GET flags/ lists the flags that exist.")
            if check is not None:
                check(flag)
            live = Enrollment.objects.live().filter(flag=flag, user=user).first()
            if live is not None:
                raise AlreadyEnrolled(
                    f"{_username(user)} already has a live enrollment (#{live.pk}) in '{flag_name}', "
                    f"until {live.expires_at.isoformat()}. "
                    f"End it (DELETE enrollments/{live.pk}/) before enrolling again.",
                    enrollment_id=live.pk,
                )
            preexisting = flag.users.filter(pk=user.pk).exists()
            enrollment = Enrollment.objects.create(
                flag=flag,
                flag_name=flag.name,
                user=user,
                created_by=actor,
                reason=reason,
                created_at=timezone.now(),
                expires_at=expires_at,
                preexisting_membership=preexisting,
            )
            if not preexisting:
                flag.users.add(user)
            _audit(AuditAction.ENROLLED, enrollment, actor, "already_present" if preexisting else "added", reason)
            _flush_after_commit(flag)
        return enrollment

    return _retrying(attempt)


def _end_locked(enrollment: Enrollment, *, actor, end_reason: str, now) -> EndResult:
    """End a live enrollment; the caller holds the flag lock and has re-read the enrollment."""
    enrollment.ended_at = now
    enrollment.end_reason = end_reason
    enrollment.ended_by = actor
    enrollment.live = None
    enrollment.save(update_fields=["ended_at", "end_reason", "ended_by", "live"])

    flag = enrollment.flag
    if flag is None:
        membership = "kept_flag_deleted"
    elif enrollment.preexisting_membership:
        membership = "kept_preexisting"
    elif Enrollment.objects.live().filter(flag=flag, user_id=enrollment.user_id).exists():
        membership = "kept_other_enrollment"
    else:
        flag.users.remove(enrollment.user_id)
        membership = "removed"
        _flush_after_commit(flag)

    action = AuditAction.EXPIRED if end_reason == EndReason.EXPIRED else AuditAction.REVOKED
    _audit(action, enrollment, actor, membership)
    return EndResult(enrollment, membership)


def flag_id_of(model, enrollment_id: int):
    """The flag of an enrollment (``model``: Enrollment or CustomerEnrollment), read outside the
    transaction: on MySQL (REPEATABLE READ) a plain read inside it would fix the snapshot before the
    lock wait, and later plain reads would miss what the lock holder committed."""
    return model.objects.filter(pk=enrollment_id).values_list("flag_id", flat=True).first()


def lock_enrollment(model, enrollment_id: int, flag_id, related):
    """Lock the enrollment's flag, then the enrollment itself; return it re-read (with ``related``),
    or None."""
    if flag_id is not None:
        # Locks the flag row; if the flag was deleted meanwhile, SET_NULL has cleared flag_id.
        list(Flag.objects.select_for_update().filter(pk=flag_id).values_list("pk", flat=True))
    return model.objects.select_for_update().select_related(*related).filter(pk=enrollment_id).first()


def end_due(model, end_locked, related, now=None) -> int:
    """End every live enrollment of ``model`` whose time is up with ``end_locked``; returns how many.

    One indexed query when nothing is due. Each one is ended in its own transaction, under its flag's
    lock, and skipped if someone ended it meanwhile."""
    now = now or timezone.now()
    due = list(model.objects.live().filter(expires_at__lte=now).order_by("expires_at").values_list("pk", flat=True))

    def attempt(enrollment_id):
        flag_id = flag_id_of(model, enrollment_id)
        with transaction.atomic():
            enrollment = lock_enrollment(model, enrollment_id, flag_id, related)
            if enrollment is None or enrollment.ended_at is not None:
                return False
            end_locked(enrollment, actor=None, end_reason=EndReason.EXPIRED, now=now)
            return True

    return sum(1 for enrollment_id in due if _retrying(lambda: attempt(enrollment_id)))


_RELATED = ("flag", "user", "created_by", "ended_by")


def revoke(enrollment_id: int, *, actor, allowed=None) -> EndResult:
    """End an enrollment early. ``allowed(enrollment)`` may raise to refuse it (permission)."""

    def attempt():
        flag_id = flag_id_of(Enrollment, enrollment_id)
        with transaction.atomic():
            enrollment = lock_enrollment(Enrollment, enrollment_id, flag_id, _RELATED)
            if enrollment is None:
                raise EnrollmentNotFound(f"No enrollment #{enrollment_id}. GET enrollments/ lists them.")
            if allowed is not None:
                allowed(enrollment)
            if enrollment.ended_at is not None:
                raise AlreadyEnded(
                    f"Enrollment #{enrollment.pk} already ended ({enrollment.end_reason}) at "
                    f"{enrollment.ended_at.isoformat()}; nothing to do.",
                    enrollment_id=enrollment.pk,
                )
            return _end_locked(enrollment, actor=actor, end_reason=EndReason.REVOKED, now=timezone.now())

    return _retrying(attempt)


def expire_due(now=None) -> int:
    """End every live enrollment whose time is up. Returns how many were ended."""
    return end_due(Enrollment, _end_locked, _RELATED, now)


DELETED_USER_REASON = "The user was deleted."


def end_enrollments_of_deleted_user(sender, instance, **kwargs):
    """``pre_delete`` of the user model: audit the end of the user's live enrollments, then delete
    the user's enrollments (their audit rows stay, with the names written in them).

    Runs inside the deletion's transaction, after Django has collected what the deletion changes:
    the audit rows written here name the user by ``username`` only (``user`` NULL), since the
    collector has already listed the rows whose ``user`` it sets to NULL.
    """
    user = instance
    username = _username(user)
    for enrollment in Enrollment.objects.live().filter(user=user):
        AuditEntry.objects.create(
            action=AuditAction.REVOKED,
            enrollment=enrollment,
            flag_name=enrollment.flag_name,
            user=None,
            username=username,
            actor=None,
            actor_username="",
            reason=DELETED_USER_REASON,
            membership="kept_preexisting" if enrollment.preexisting_membership else "removed",
            expires_at=enrollment.expires_at,
        )
    Enrollment.objects.filter(user=user).delete()
