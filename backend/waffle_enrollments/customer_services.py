"""Turn a flag on for every learner of an enterprise customer, end it, and keep its group exact.

One Django ``Group`` per customer, ``waffle-customer:<uuid>``, owned by this app. It exists while the
customer has at least one live customer enrollment, sits in waffle's ``Flag.groups`` of each flag the
customer is live in, and holds exactly the customer's learners (``customer_directory``): learners
linked, unlinked or deactivated meanwhile join or leave it (``sync_learner``, called by the signals
of customer_signals.py), and ``resync`` repairs whatever changed without a signal. The last live
enrollment of a customer ending takes the group out of its flag and deletes it. Everything goes
through the ORM: ``flag.groups.add/remove`` sends the ``m2m_changed`` that flushes waffle's cache, and
the flag is flushed once more after commit (as in services.py).

Locks, always in this order, so that no two of these transactions wait for each other in a circle:
the Flag row(s) (by id), the customer's rows in edx-enterprise's link table (``SELECT ... FOR
UPDATE``), the group row, the customer enrollment. A link saved by edx-enterprise holds its row and
then takes the group lock in the signal handler: the same order. The link rows are locked before the
transaction's first plain read, so that the snapshot of MySQL's REPEATABLE READ includes every link
those locks waited for.
"""

import uuid
from dataclasses import dataclass
from typing import List, Optional

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from waffle.models import Flag

from . import customer_directory as directory
from .customer_models import (
    CUSTOMER_GROUP_PREFIX,
    CustomerAuditAction,
    CustomerAuditEntry,
    CustomerEnrollment,
    customer_group_name,
)
from .models import EndReason
from .services import (
    AlreadyEnded,
    AlreadyEnrolled,
    EnrollmentNotFound,
    FlagNotFound,
    _retrying,
    end_due,
    flag_id_of,
    lock_enrollment,
)

BATCH = 1000  # ids per membership statement (SQLite's limit on a statement's parameters)


@dataclass(frozen=True)
class EndResult:
    enrollment: CustomerEnrollment
    group: str  # "removed_from_flag", "deleted", "kept_flag_deleted"
    learner_count: int


def _username(user):
    return user.get_username() if user is not None else ""


def _audit(
    action,
    *,
    customer_uuid,
    customer_slug,
    enrollment=None,
    actor=None,
    learner_count,
    added=0,
    removed=0,
    group,
    reason="",
):
    CustomerAuditEntry.objects.create(
        action=action,
        customer_enrollment=enrollment,
        flag_name=enrollment.flag_name if enrollment is not None else "",
        customer_uuid=customer_uuid,
        customer_slug=customer_slug,
        actor=actor,
        actor_username=_username(actor),
        reason=reason,
        learner_count=learner_count,
        learners_added=added,
        learners_removed=removed,
        group=group,
        expires_at=enrollment.expires_at if enrollment is not None else None,
    )


def _locked_group(customer_uuid, create) -> Optional[Group]:
    """The customer's group, row-locked; created (and locked) if missing and ``create``."""
    name = customer_group_name(customer_uuid)
    group = Group.objects.select_for_update().filter(name=name).first()
    if group is None and create:
        group = Group.objects.create(name=name)
    return group


def _member_ids(group):
    return set(group.user_set.values_list("pk", flat=True))


def _sync_members(group, desired):
    """Make the group's members exactly ``desired``; returns (added, removed)."""
    current = _member_ids(group)
    to_add = sorted(desired - current)
    to_remove = sorted(current - desired)
    for start in range(0, len(to_add), BATCH):
        group.user_set.add(*to_add[start : start + BATCH])
    for start in range(0, len(to_remove), BATCH):
        group.user_set.remove(*to_remove[start : start + BATCH])
    return len(to_add), len(to_remove)


def _flag_has_group(flag, group):
    return Flag.groups.through.objects.filter(flag_id=flag.pk, group_id=group.pk).exists()


def enroll_customer(*, flag_name, customer, actor, reason, expires_at, check=None) -> CustomerEnrollment:
    """Put the customer's group (made and filled if needed) in ``Flag.groups`` until ``expires_at``.

    ``check(flag)`` may raise an EnrollmentError once the flag row is locked (the Everyone rule).
    """

    def attempt():
        with transaction.atomic():
            flag = Flag.objects.select_for_update().filter(name=flag_name).first()
            if flag is None:
                raise FlagNotFound(f"No Waffle flag is named '{flag_name}'. GET flags/ lists the flags that exist.")
            if check is not None:
                check(flag)
            linked = directory.lock_linked_user_ids(customer.uuid)
            live = CustomerEnrollment.objects.live().filter(flag=flag, customer_uuid=customer.uuid).first()
            if live is not None:
                raise AlreadyEnrolled(
                    f"{customer.name} already has a live enrollment (#{live.pk}) in '{flag_name}', until "
                    f"{live.expires_at.isoformat()}. End it (DELETE customer-enrollments/{live.pk}/) before "
                    "enrolling the customer again.",
                    customer_enrollment_id=live.pk,
                )
            group = _locked_group(customer.uuid, create=False)
            created = group is None
            if created:
                group = _locked_group(customer.uuid, create=True)
            desired = directory.learner_ids(linked)
            added, removed = _sync_members(group, desired)
            enrollment = CustomerEnrollment.objects.create(
                flag=flag,
                flag_name=flag.name,
                customer_uuid=customer.uuid,
                customer_name=customer.name,
                customer_slug=customer.slug,
                learner_count=len(desired),
                created_by=actor,
                reason=reason,
                created_at=timezone.now(),
                expires_at=expires_at,
            )
            if not _flag_has_group(flag, group):
                flag.groups.add(group)
            _audit(
                CustomerAuditAction.ENROLLED,
                customer_uuid=customer.uuid,
                customer_slug=customer.slug,
                enrollment=enrollment,
                actor=actor,
                learner_count=len(desired),
                added=added,
                removed=removed,
                group="created" if created else "kept",
                reason=reason,
            )
            transaction.on_commit(flag.flush)
        return enrollment

    return _retrying(attempt)


def _delete_group(group):
    """Take the group out of every flag (flushing each in waffle's cache), then delete it."""
    for flag in Flag.objects.filter(groups=group):
        flag.groups.remove(group)
        transaction.on_commit(flag.flush)
    group.delete()


def _end_locked(enrollment: CustomerEnrollment, *, actor, end_reason, now) -> EndResult:
    """End a live customer enrollment; the caller holds the flag lock and has re-read the enrollment."""
    enrollment.ended_at = now
    enrollment.end_reason = end_reason
    enrollment.ended_by = actor
    enrollment.live = None
    enrollment.save(update_fields=["ended_at", "end_reason", "ended_by", "live"])

    group = _locked_group(enrollment.customer_uuid, create=False)
    members = len(_member_ids(group)) if group is not None else 0
    removed = 0
    flag = enrollment.flag
    outcome = "kept_flag_deleted" if flag is None else "removed_from_flag"
    if group is not None:
        if flag is not None:
            flag.groups.remove(group)
            transaction.on_commit(flag.flush)
        others = CustomerEnrollment.objects.live().filter(customer_uuid=enrollment.customer_uuid)
        if not list(others.select_for_update().values_list("pk", flat=True)[:1]):
            _delete_group(group)
            outcome, removed = "deleted", members
    action = CustomerAuditAction.EXPIRED if end_reason == EndReason.EXPIRED else CustomerAuditAction.REVOKED
    _audit(
        action,
        customer_uuid=enrollment.customer_uuid,
        customer_slug=enrollment.customer_slug,
        enrollment=enrollment,
        actor=actor,
        learner_count=members - removed,
        removed=removed,
        group=outcome,
    )
    return EndResult(enrollment, outcome, members)


_RELATED = ("flag", "created_by", "ended_by")


def revoke_customer(enrollment_id: int, *, actor) -> EndResult:
    def attempt():
        flag_id = flag_id_of(CustomerEnrollment, enrollment_id)
        with transaction.atomic():
            enrollment = lock_enrollment(CustomerEnrollment, enrollment_id, flag_id, _RELATED)
            if enrollment is None:
                raise EnrollmentNotFound(
                    f"No customer enrollment #{enrollment_id}. GET customer-enrollments/ lists them."
                )
            if enrollment.ended_at is not None:
                raise AlreadyEnded(
                    f"Customer enrollment #{enrollment.pk} already ended ({enrollment.end_reason}) at "
                    f"{enrollment.ended_at.isoformat()}; nothing to do.",
                    customer_enrollment_id=enrollment.pk,
                )
            return _end_locked(enrollment, actor=actor, end_reason=EndReason.REVOKED, now=timezone.now())

    return _retrying(attempt)


def expire_due_customers(now=None) -> int:
    """End every live customer enrollment whose time is up; one indexed query when none is due."""
    return end_due(CustomerEnrollment, _end_locked, _RELATED, now)


# ---- keeping the group exact ----------------------------------------------------------------------


def sync_learner(customer_uuid, user_id):
    """Put ``user_id`` in the customer's group, or take them out, as their link and account now say.

    Runs from a signal, inside the transaction that changed the link or the account if there is one,
    after it wrote its row; does nothing when the customer has no live enrollment (no group).
    """
    # In autocommit (a link saved outside a transaction) the row is already committed: lock and change
    # the group in a transaction of its own.
    with transaction.atomic(savepoint=False):
        group = _locked_group(customer_uuid, create=False)
        if group is None:
            return
        member = group.user_set.filter(pk=user_id).exists()
        should = directory.is_learner(customer_uuid, user_id)
        if should and not member:
            group.user_set.add(user_id)
        elif member and not should:
            group.user_set.remove(user_id)


@dataclass(frozen=True)
class Repair:
    customer_uuid: str
    customer_slug: str
    learners_added: int
    learners_removed: int
    flags_given_group: List[str]
    flags_without_group: List[str]
    group_deleted: bool

    def sentence(self) -> str:
        parts = []
        if self.learners_added or self.learners_removed:
            parts.append(
                f"{self.learners_added} learner(s) added to and {self.learners_removed} removed from its group"
            )
        if self.flags_given_group:
            parts.append(f"group put back in {', '.join(self.flags_given_group)}")
        if self.flags_without_group:
            parts.append(f"group taken out of {', '.join(self.flags_without_group)}")
        if self.group_deleted:
            parts.append("group deleted (no live enrollment)")
        return f"{self.customer_slug} ({self.customer_uuid}): " + "; ".join(parts) + "."


def _resync_one(customer_uuid) -> Optional[Repair]:
    # Read before the transaction: its first plain read must come after the link rows are locked.
    live_flag_ids = sorted(
        set(
            CustomerEnrollment.objects.live()
            .filter(customer_uuid=customer_uuid, flag__isnull=False)
            .values_list("flag_id", flat=True)
        )
    )
    with transaction.atomic():
        list(Flag.objects.select_for_update().filter(pk__in=live_flag_ids).order_by("pk").values_list("pk", flat=True))
        linked = directory.lock_linked_user_ids(customer_uuid) if directory.is_available() else frozenset()
        live = list(
            CustomerEnrollment.objects.live()
            .select_for_update()
            .select_related("flag")
            .filter(customer_uuid=customer_uuid)
        )
        slug = live[0].customer_slug if live else str(customer_uuid)
        group = _locked_group(customer_uuid, create=bool(live))
        if group is None:
            return None
        if not live:
            removed = len(_member_ids(group))
            flags = [f.name for f in Flag.objects.filter(groups=group).order_by("name")]
            _delete_group(group)
            repair = Repair(str(customer_uuid), slug, 0, removed, [], flags, True)
            _audit(
                CustomerAuditAction.RESYNCED,
                customer_uuid=customer_uuid,
                customer_slug=slug,
                learner_count=0,
                removed=removed,
                group="deleted",
            )
            return repair
        added, removed = _sync_members(group, directory.learner_ids(linked))
        live_flags = {e.flag.pk: e.flag for e in live if e.flag is not None}
        given = []
        for flag in sorted(live_flags.values(), key=lambda f: f.name):
            if not _flag_has_group(flag, group):
                flag.groups.add(group)
                transaction.on_commit(flag.flush)
                given.append(flag.name)
        taken = []
        for flag in Flag.objects.filter(groups=group).exclude(pk__in=live_flags).order_by("name"):
            flag.groups.remove(group)
            transaction.on_commit(flag.flush)
            taken.append(flag.name)
        if not (added or removed or given or taken):
            return None
        _audit(
            CustomerAuditAction.RESYNCED,
            customer_uuid=customer_uuid,
            customer_slug=slug,
            enrollment=live[0],
            learner_count=len(_member_ids(group)),
            added=added,
            removed=removed,
            group="repaired",
            reason="; ".join(
                filter(
                    None,
                    [
                        f"put back in {', '.join(given)}" if given else "",
                        f"taken out of {', '.join(taken)}" if taken else "",
                    ],
                )
            ),
        )
        return Repair(str(customer_uuid), slug, added, removed, given, taken, False)


def resync(now=None) -> List[Repair]:
    """Expire what is due, then repair every customer group: its members, the flags it is in, and
    groups left without a live enrollment. Returns what was repaired (each also in the audit log)."""
    expire_due_customers(now)
    customers = set(CustomerEnrollment.objects.live().values_list("customer_uuid", flat=True))
    for name in Group.objects.filter(name__startswith=CUSTOMER_GROUP_PREFIX).values_list("name", flat=True):
        try:
            customers.add(uuid.UUID(name[len(CUSTOMER_GROUP_PREFIX) :]))
        except ValueError:
            continue  # not one of ours after all (a group someone named like ours by hand)
    repairs = []
    for customer_uuid in sorted(customers, key=str):
        repair = _retrying(lambda: _resync_one(customer_uuid))
        if repair is not None:
            repairs.append(repair)
    return repairs
