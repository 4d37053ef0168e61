"""End every enrollment whose time is up. Meant for cron, e.g. every minute::

    * * * * * ./manage.py lms expire_waffle_enrollments --settings=production
"""

from django.core.management.base import BaseCommand

from waffle_enrollments.customer_services import expire_due_customers
from waffle_enrollments.services import expire_due


class Command(BaseCommand):
    help = "End Waffle flag enrollments whose expiry time has passed (and take the users out of the flags)."

    def handle(self, *args, **options):
        ended = expire_due()
        customers = expire_due_customers()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Expired {ended} waffle enrollment(s).")
            self.stdout.write(f"Expired {customers} customer enrollment(s).")
