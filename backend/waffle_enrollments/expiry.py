"""Enrollments whose time is up end before any API request is answered, for one cache read.

Every request of the API first ends the enrollments (of users and of customers) whose ``expires_at``
has passed, so that no answer describes an expired one as live, even before cron's
``expire_waffle_enrollments`` runs. Looking for them takes two queries; knowing that none can be due
yet takes one read of the shared cache (memcached in the LMS, the same for every process), which keeps
a *hint*: the earliest ``expires_at`` among the live enrollments, and the *generation* it was read in.

* A sweep reads the generation, ends what is due, reads the earliest expiry of what is left and stores
  it with that generation.
* Every saved enrollment of either kind starts a new generation when its transaction commits (and at
  once, for the transaction's own later reads). A hint stored by a sweep that began before that commit
  carries the older generation and is not used: a sweep that could not see a new enrollment never
  hides it from the next request.
* No generation, no hint, or a cache that fails: the request sweeps.
* ``expires_at`` changed without ``save()`` (``QuerySet.update()``, SQL, ``bulk_create``) is seen when
  the hint runs out (``HINT_SECONDS``), or at once after ``expiry_changed()``.
"""

import logging
import random

from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

log = logging.getLogger(__name__)

HINT_KEY = "waffle_enrollments:expiry:hint"
GENERATION_KEY = "waffle_enrollments:expiry:generation"
HINT_SECONDS = 60


def sweep(now=None) -> int:
    """End every live enrollment, of a user or a customer, whose time is up; returns how many ended."""
    from . import customer_services, services

    now = now or timezone.now()
    return services.expire_due(now) + customer_services.expire_due_customers(now)


def sweep_if_due(now=None) -> int:
    """``sweep()``, unless the hint says that nothing can be due yet (see the module's docstring)."""
    now = now or timezone.now()
    try:
        found = cache.get_many([HINT_KEY, GENERATION_KEY])
        generation = found.get(GENERATION_KEY)
        hint = found.get(HINT_KEY)
        if generation is not None and isinstance(hint, tuple) and len(hint) == 2 and hint[0] == generation:
            if hint[1] is None or now < hint[1]:
                return 0
        if generation is None:
            cache.add(GENERATION_KEY, random.getrandbits(48), timeout=None)
            generation = cache.get(GENERATION_KEY)
    except Exception:  # an unusable cache costs the two queries, never the answer
        log.warning("waffle_enrollments: the cache failed; sweeping without the expiry hint", exc_info=True)
        return sweep(now)
    ended = sweep(now)
    if generation is not None:
        try:
            cache.set(HINT_KEY, (generation, _earliest_expiry()), HINT_SECONDS)
        except Exception:
            log.warning("waffle_enrollments: could not store the expiry hint", exc_info=True)
    return ended


def _earliest_expiry():
    from .customer_models import CustomerEnrollment
    from .models import Enrollment

    found = [
        model.objects.live().aggregate(earliest=Min("expires_at"))["earliest"]
        for model in (Enrollment, CustomerEnrollment)
    ]
    found = [when for when in found if when is not None]
    return min(found) if found else None


def expiry_changed():
    """Start a new generation: the next request sweeps. Call it after changing ``expires_at`` or
    ``live`` without ``save()``; every ``save()`` of an enrollment calls it (``enrollment_saved``)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation: no hint can be used until a sweep starts one
        pass
    except Exception:
        log.warning("waffle_enrollments: could not start a new expiry generation", exc_info=True)


def enrollment_saved(sender, **kwargs):
    """``post_save`` of Enrollment and CustomerEnrollment."""
    expiry_changed()  # at once: a sweep later in this transaction does not trust an older hint
    transaction.on_commit(expiry_changed)  # and after commit, when other processes can see the row


def connect():
    from django.db.models.signals import post_save

    from .customer_models import CustomerEnrollment
    from .models import Enrollment

    for model in (Enrollment, CustomerEnrollment):
        post_save.connect(enrollment_saved, sender=model, dispatch_uid=f"waffle_enrollments.expiry.{model.__name__}")
