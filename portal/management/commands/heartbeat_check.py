"""``manage.py heartbeat_check beat``: the container health check of Celery beat.

Beat answers no ping (a worker does: ``celery inspect ping``); what shows it alive is the
heartbeat its main process writes every ``HEARTBEAT_SECONDS``. The check passes when a process
of the kind on this host wrote one within ``HEARTBEAT_STALE_SECONDS``.
"""

import socket

from django.core.management.base import BaseCommand, CommandError

from portal.heartbeat import heartbeats_alive


class Command(BaseCommand):
    help = "Exit 0 when a Celery beat (or worker) on this host wrote a recent heartbeat."

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=["beat", "worker"])

    def handle(self, *args, kind: str, **options) -> None:
        host = socket.gethostname()
        # names: "beat:<host>:<pid>", "worker:<celery hostname>" (celery@<host> by default)
        prefixes = (f"beat:{host}:",) if kind == "beat" else (f"worker:celery@{host}",)
        alive = [name for name in heartbeats_alive(kind=kind) if name.startswith(prefixes)]
        if not alive:
            raise CommandError(f"No recent {kind} heartbeat from {host}.")
        self.stdout.write(", ".join(alive))
