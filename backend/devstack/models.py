"""The devstack has no models of its own: edx-enterprise's stand-in is the ``enterprise`` app
(``enterprise_standin``), so that ``waffle_enrollments`` reads the same models as in an LMS."""
