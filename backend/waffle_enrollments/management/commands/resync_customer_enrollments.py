"""Repair every customer group: expire what is due, then make each group hold exactly its customer's
learners, sit in exactly the flags its customer is live in, and delete groups left without a live
enrollment. Each repair is written to the audit log and printed. Meant for cron, e.g. every 10 minutes::

    */10 * * * * ./manage.py lms resync_customer_enrollments --settings=production
"""

from django.core.management.base import BaseCommand, CommandError

from waffle_enrollments import customer_directory
from waffle_enrollments.customer_services import resync


class Command(BaseCommand):
    help = (
        "Repair the groups of Waffle customer enrollments (members, flags, leftovers) after changes that sent "
        "no signal, and say what was repaired."
    )

    def handle(self, *args, **options):
        if not customer_directory.is_available():
            raise CommandError(customer_directory.UNAVAILABLE)
        repairs = resync()
        if options["verbosity"] >= 1:
            for repair in repairs:
                self.stdout.write(f"Repaired {repair.sentence()}")
            self.stdout.write(f"Resynced customer groups: {len(repairs)} repaired.")
