# Joins the two branches that both follow 0002 (they touch different tables).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('waffle_enrollments', '0003_enrollment_user_ends_with_the_user'),
        ('waffle_enrollments', '0004_customer_enrollments'),
    ]

    operations = []
