"""Run the whole devstack in one process: LMS, BFF, learner portal and admin portal.

    /usr/bin/python3 -m devstack.serve [--data-dir DIR] [--reset] [--lms-port 18000] [--bff-port 18270]
                                       [--learner-port 8734] [--admin-port 1991]

Normally started by ``scripts/devstack.mjs``. Binds every port first (and stops with a clear
message if one is taken), then migrates, seeds a fresh database, starts a threaded WSGI server per
service and prints one line ``DEVSTACK_READY {json}`` once all four answer. Stops on SIGTERM,
SIGINT, or when its stdin closes (so it never outlives the Node process that started it).
A port of 0 picks a free one (reported in the ready line). With ``WAFFLE_DEVSTACK_DB`` and
``WAFFLE_DEVSTACK_CACHE`` (see devstack/settings.py) several of them share MariaDB and memcached,
as the processes of one LMS do.
"""

import argparse
import errno
import json
import os
import signal
import shutil
import sys
import threading
import urllib.request
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parent.parent
DATA_FILES = ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm", "db.sqlite3-journal", "secrets.json")
SERVICES = ("lms", "bff", "learner", "admin")
NAMES = {"lms": "LMS", "bff": "enterprise-access (BFF)", "learner": "learner portal", "admin": "admin portal"}


def emit(tag, payload):
    sys.stdout.write(f"{tag} {json.dumps(payload)}\n")
    sys.stdout.flush()


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="devstack.serve")
    parser.add_argument(
        "--data-dir", default=os.environ.get("WAFFLE_DEVSTACK_DATA_DIR") or str(BACKEND_DIR / ".devstack-data")
    )
    parser.add_argument("--reset", action="store_true", help="delete the database and secrets first")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--lms-port", type=int, default=18000)
    parser.add_argument("--bff-port", type=int, default=18270)
    parser.add_argument("--learner-port", type=int, default=8734)
    parser.add_argument("--admin-port", type=int, default=1991)
    parser.add_argument("--no-stdin-watch", action="store_true", help="keep running when stdin closes")
    return parser.parse_args(argv)


def reset(data_dir):
    """Delete only the files this devstack creates, never the folder's other content."""
    for name in DATA_FILES:
        try:
            (data_dir / name).unlink()
        except FileNotFoundError:
            pass


def bind_all(host, ports):
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Server(ThreadedWSGIServer):
        # Django's default listen backlog (10) resets connections in a burst of concurrent requests,
        # which a production server in front of the LMS would queue.
        request_queue_size = 128

    servers = {}
    for service in SERVICES:
        try:
            servers[service] = Server((host, ports[service]), WSGIRequestHandler)
        except OSError as error:
            for server in servers.values():
                server.server_close()
            code = "port_in_use" if error.errno == errno.EADDRINUSE else "bind_failed"
            emit("DEVSTACK_ERROR", {"error": code, "service": service, "port": ports[service], "message": str(error)})
            sys.stderr.write(
                f"[devstack] cannot listen on {host}:{ports[service]} for the {NAMES[service]}: {error.strerror}. "
                + (
                    "Another devstack (or another program) is using it; stop it or free the port.\n"
                    if code == "port_in_use"
                    else "\n"
                )
            )
            sys.exit(3)
    return servers


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    data_dir = Path(args.data_dir).resolve()
    if args.reset:
        reset(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    # The shared cache (settings.CACHES) starts empty: it may hold rows of a database since reset.
    shutil.rmtree(data_dir / "cache", ignore_errors=True)
    fresh = not (data_dir / "db.sqlite3").exists()

    sys.path.insert(0, str(BACKEND_DIR))
    ports = {"lms": args.lms_port, "bff": args.bff_port, "learner": args.learner_port, "admin": args.admin_port}
    servers = bind_all(args.host, ports)
    actual = {s: servers[s].server_address[1] for s in SERVICES}
    urls = {s: f"http://localhost:{actual[s]}" for s in SERVICES}

    os.environ["DJANGO_SETTINGS_MODULE"] = "devstack.settings"
    os.environ["WAFFLE_DEVSTACK_DATA_DIR"] = str(data_dir)
    os.environ["WAFFLE_DEVSTACK_LMS_URL"] = urls["lms"]
    os.environ["WAFFLE_DEVSTACK_BFF_URL"] = urls["bff"]
    os.environ["WAFFLE_DEVSTACK_LEARNER_PORTAL_URL"] = urls["learner"]
    os.environ["WAFFLE_DEVSTACK_ADMIN_PORTAL_URL"] = urls["admin"]

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    if os.environ.get("WAFFLE_DEVSTACK_DB"):
        # A shared server database (several LMS processes): seed it once, when it has no account yet.
        from django.contrib.auth import get_user_model

        fresh = not get_user_model().objects.exists()
    from enterprise_standin.models import EnterpriseCustomer

    # A database from before the enterprise stand-in became its own app has lost its customers.
    if fresh or not EnterpriseCustomer.objects.exists():
        call_command("seed_devstack", verbosity=0)

    from django.core.handlers.wsgi import WSGIHandler

    from devstack.portals import make_portal_app

    lms_app = WSGIHandler()

    def bff_app(environ, start_response):
        environ["devstack.service"] = "bff"
        return lms_app(environ, start_response)

    servers["lms"].set_app(lms_app)
    servers["bff"].set_app(bff_app)
    servers["learner"].set_app(make_portal_app("learner", urls["lms"], urls["bff"]))
    servers["admin"].set_app(make_portal_app("admin", urls["lms"], urls["bff"]))

    threads = [threading.Thread(target=servers[s].serve_forever, name=f"devstack-{s}", daemon=True) for s in SERVICES]
    for thread in threads:
        thread.start()

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    if not args.no_stdin_watch:

        def watch_stdin():
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except (OSError, ValueError):
                pass
            stop.set()

        threading.Thread(target=watch_stdin, name="devstack-stdin", daemon=True).start()

    # Ready only when every service answers over HTTP.
    probes = {
        "lms": urls["lms"] + "/csrf/api/v1/token",
        "bff": urls["bff"] + "/csrf/api/v1/token",
        "learner": urls["learner"] + "/",
        "admin": urls["admin"] + "/",
    }
    for service, url in probes.items():
        with urllib.request.urlopen(url.replace("localhost", args.host), timeout=10) as response:
            if response.status != 200:
                emit("DEVSTACK_ERROR", {"error": "not_answering", "service": service, "status": response.status})
                sys.exit(4)
    emit("DEVSTACK_READY", {"urls": urls, "data_dir": str(data_dir), "seeded": fresh, "pid": os.getpid()})

    stop.wait()
    # Shut the four servers down together (each shutdown() waits for its serve_forever poll).
    stoppers = [threading.Thread(target=server.shutdown) for server in servers.values()]
    for stopper in stoppers:
        stopper.start()
    for stopper in stoppers:
        stopper.join(5)
    for server in servers.values():
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
