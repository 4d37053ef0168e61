"""The index on auth_user.email that the LMS has (edx-platform's student migration 0010 adds a unique
index named ``email``); GET users/?q= of waffle_enrollments searches email prefixes through it.
A plain index here: the devstack does not promise unique emails."""

from django.conf import settings
from django.db import migrations, models

INDEX = models.Index(fields=["email"], name="devstack_auth_user_email")


def add(apps, schema_editor):
    schema_editor.add_index(apps.get_model(settings.AUTH_USER_MODEL), INDEX)


def remove(apps, schema_editor):
    schema_editor.remove_index(apps.get_model(settings.AUTH_USER_MODEL), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("devstack", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(add, remove, atomic=False)]  # DDL: MySQL cannot run it in a transaction
