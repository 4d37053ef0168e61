"""A customer enrollment created while learners are linked and unlinked from 20 threads and another
admin enrolls some of the same learners one by one (each thread its own connection).

On MariaDB (scripts/with-mariadb.sh) row locks, REPEATABLE READ snapshots and deadlocks are real;
on SQLite writers queue on the database lock. Either way, afterwards: every linked learner is in
the customer's group and nobody else is, the individual enrollments and the Flag.groups and
Flag.users that existed before survive, and there is one audit row per action.
"""

import pytest
from django.contrib.auth.models import Group
from waffle.models import Flag

from waffle_enrollments.customer_models import CustomerAuditEntry, CustomerEnrollment
from waffle_enrollments.models import AuditEntry, Enrollment

from .conftest import API, client_for, make_user
from .customers import active_for, customer, group_of, link, member_ids
from .test_concurrency_api import _storm

FLAG = "enterprise.pilot_storm"


@pytest.mark.django_db(transaction=True)
def test_customer_enrollment_amid_link_changes_and_individual_enrollments(django_user_model):
    from enterprise_standin.models import EnterpriseCustomerUser

    flag = Flag.objects.create(name=FLAG, superusers=False)
    beta = Group.objects.create(name="beta-testers")
    flag.groups.add(beta)
    outsider = make_user(django_user_model, "outsider")
    flag.users.add(outsider)
    qa = make_user(django_user_model, "qa", staff=True, perms=["enroll_customers"])
    support = make_user(django_user_model, "support", staff=True, perms=["enroll_others"])
    x = customer("test-enterprise", "Test Enterprise")
    learners = [make_user(django_user_model, f"l{i:02d}") for i in range(40)]
    for user in learners[:20]:
        link(user, x)

    def link_and_unlink(i):
        def run():
            link(learners[20 + i], x)  # a new link
            if i % 2 == 0:
                link(learners[i], x, linked=False)  # an unlink (edx-enterprise saves linked=False)
            return "ok"

        return run

    def enroll_customer():
        body = {"flag": FLAG, "enterprise_customer": "test-enterprise", "duration": 3600, "reason": "pilot"}
        return client_for(qa).post(API + "customer-enrollments/", body, content_type="application/json").status_code

    def enroll_one(user):
        body = {"flag": FLAG, "user": user.username, "duration": 3600, "reason": "ticket"}
        return lambda: client_for(support).post(API + "enrollments/", body, content_type="application/json").status_code

    actions = [("customer", None, enroll_customer)]
    actions += [("link", i, link_and_unlink(i)) for i in range(20)]
    actions += [("individual", learners[i].pk, enroll_one(learners[i])) for i in (0, 1, 2, 3, 25)]
    results = _storm(actions)

    errors = [(kind, key, r) for kind, key, r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert [r for kind, _, r in results if kind == "customer"] == [201]
    assert [r for kind, _, r in results if kind == "individual"] == [201] * 5

    linked = set(EnterpriseCustomerUser.objects.filter(enterprise_customer=x).values_list("user_id", flat=True))
    assert linked == {u.pk for u in learners[20:]} | {learners[i].pk for i in range(1, 20, 2)}
    assert member_ids(x) == linked  # every linked learner, nobody else
    assert set(flag.groups.all()) == {beta, group_of(x)}
    individually = {learners[i].pk for i in (0, 1, 2, 3, 25)}
    assert set(flag.users.values_list("pk", flat=True)) == {outsider.pk} | individually
    assert Enrollment.objects.live().count() == 5
    for user in learners:
        assert active_for(user, FLAG) is (user.pk in linked or user.pk in individually), user.username
    assert active_for(outsider, FLAG) is True

    assert CustomerEnrollment.objects.count() == 1
    assert list(CustomerAuditEntry.objects.values_list("action", flat=True)) == ["enrolled"]
    assert AuditEntry.objects.filter(action="enrolled").count() == 5 == AuditEntry.objects.count()
