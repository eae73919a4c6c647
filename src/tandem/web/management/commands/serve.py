"""`tandem serve`: migrate, then serve the app with gunicorn (the production server) and run the
background worker beside it (uploads, linkage runs and returns are jobs it does)."""

import os
import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Tandem's pages and API on http://HOST:PORT with gunicorn (migrates first)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
        parser.add_argument(
            "--workers",
            type=int,
            default=min(4, 2 * (os.cpu_count() or 1) + 1),
            help="gunicorn worker processes",
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")
        parser.add_argument("--no-migrate", action="store_true", help="skip migrations")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background worker (run `tandem db_worker` elsewhere)",
        )

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if not settings.STATICFILES_DIRS:
            self.stderr.write(
                self.style.WARNING(
                    "GOV.UK Frontend is not built (build/static missing): run `make install`."
                )
            )
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(
            self.style.SUCCESS(f"Tandem is running at http://{bind}/  (Ctrl-C stops it)")
        )
        sys.stdout.flush()
        argv = [
            "gunicorn",
            "tandem.config.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--worker-class",
            "gthread",
            # The path without its query string: a log never holds a name or an NHS number.
            "--access-logformat",
            '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
        ]
        bin_dir = os.path.dirname(sys.executable)
        argv[0] = os.path.join(bin_dir, "gunicorn")
        worker = None
        if not options["no_worker"]:
            worker_argv = [os.path.join(bin_dir, "tandem"), "db_worker", "--no-reload", "-v", "0"]
            worker = _Supervised(worker_argv, self.stderr)
            worker.start()
        # Each worker thread keeps its database connection (checked before reuse), so the
        # statements every request runs stay prepared on PostgreSQL.
        env = {**os.environ, "TANDEM_CONN_MAX_AGE": os.environ.get("TANDEM_CONN_MAX_AGE", "600")}
        server = subprocess.Popen(argv, env=env)
        # Stop both together, whichever way the server is asked to stop.
        signal.signal(signal.SIGTERM, lambda *_: server.terminate())
        try:
            code = server.wait()
        except KeyboardInterrupt:
            code = server.wait()
        finally:
            if worker is not None:
                worker.stop()
        sys.exit(code)


class _Supervised(threading.Thread):
    """The background worker, started again if it stops while the server runs (killed, or
    out of memory): the new one recovers the jobs the old one dropped."""

    def __init__(self, argv, stderr):
        super().__init__(name="worker-supervisor", daemon=True)
        self.argv, self.stderr = argv, stderr
        self.process = subprocess.Popen(argv)
        self.stopping = threading.Event()

    def run(self) -> None:
        while True:
            code = self.process.wait()
            if self.stopping.is_set():
                return
            self.stderr.write(f"The background worker stopped (exit {code}); starting another.")
            if self.stopping.wait(2):  # a worker that cannot start must not spin
                return
            self.process = subprocess.Popen(self.argv)

    def stop(self) -> None:
        self.stopping.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
