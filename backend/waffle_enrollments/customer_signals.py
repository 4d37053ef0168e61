"""Keep each customer group exact as edx-enterprise changes links and the LMS changes accounts.

Connected in ``apps.ready`` only when edx-enterprise is installed. A link saved or deleted, or an
account saved with a change to ``is_active``, puts the learner in or takes them out of the group of
each customer concerned that has a live enrollment, in the same transaction. Changes that send no
signal (``QuerySet.update()``, raw SQL, a bulk unlink) are repaired by the ``resync`` command.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from . import customer_directory as directory
from .customer_services import sync_learner


def _link_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):  # loaddata
        return
    sync_learner(instance.enterprise_customer_id, instance.user_id)


def _account_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if created or kwargs.get("raw"):
        return  # a new account has no links yet
    if update_fields is not None and "is_active" not in update_fields:
        return  # e.g. the login's save(update_fields=["last_login"])
    linked = directory.link_model().objects.filter(user_id=instance.pk)  # default manager: linked rows
    for customer_uuid in linked.values_list("enterprise_customer_id", flat=True):
        sync_learner(customer_uuid, instance.pk)


def connect():
    link_model = directory.link_model()
    if link_model is None:
        return
    post_save.connect(_link_changed, sender=link_model, dispatch_uid="waffle_enrollments.customer_link.save")
    post_delete.connect(_link_changed, sender=link_model, dispatch_uid="waffle_enrollments.customer_link.delete")
    post_save.connect(_account_saved, sender=get_user_model(), dispatch_uid="waffle_enrollments.customer_account")
