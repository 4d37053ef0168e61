"""A stand-in for edx-enterprise's models, for the devstack and the tests.

Its app label is ``enterprise`` and its models, fields and managers carry edx-enterprise's names,
so ``waffle_enrollments`` reads them exactly as it reads the real ones in an LMS. Not shipped.
"""
