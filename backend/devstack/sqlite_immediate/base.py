"""SQLite backend whose transactions take the write lock up front (BEGIN IMMEDIATE), in WAL mode.

SQLite ignores SELECT ... FOR UPDATE. With Django's plain BEGIN (deferred), two threads that read
and then write in ``transaction.atomic()`` fail with "database is locked" instead of waiting.
Taking the lock at BEGIN makes them queue behind the busy timeout, so the threaded devstack
serializes concurrent writes the way row locks do on MySQL.
"""

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        if self.settings_dict["NAME"] and "memory" not in str(self.settings_dict["NAME"]):
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def _start_transaction_under_autocommit(self):
        self.cursor().execute("BEGIN IMMEDIATE")
