"""Which reports have a render message in the broker right now (Redis only).

The sweep uses this to tell a report that waits in a long queue from one whose message is gone
(Redis restarted without persistence, a queue flushed, a failover to a replica that had not seen
the message). Without it, the only sign of a lost message is age, and age cannot tell the two
apart during a burst: 20 reports at once wait longer than any sensible "stale" time.

Redis keeps, per queue, one list per priority step of waiting messages and one hash of messages
delivered but not yet acknowledged (reserved by a worker, running with late acks, or scheduled
for a retry). One MULTI/EXEC reads all of them, so a message moving from a list to the hash is
seen in one of the two.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass

from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RENDER_TASK = "assessments.tasks.render_report"
# Message priorities on the Redis broker, where the LOWER number is served first (Redis keeps one
# list per step of 0, 3, 6, 9; a worker pops them in that order). A fresh request queues behind
# the others; the sweep and every render sent again after a fault (retry, lost worker, lost
# message) go to the front: they have waited their turn once already, and the sweep must not wait
# behind a backlog of renders to notice what went wrong.
PRIORITY_FIRST = 0
PRIORITY_NORMAL = 6
# Past this many waiting messages the scan costs more than it saves; the sweep then falls back
# to the age of a queued report (REPORT_STALE_SECONDS).
SCAN_LIMIT = 5000


@dataclass(frozen=True)
class BrokerReports:
    """Report ids with a render message in the broker, by where the message is."""

    waiting: frozenset[str]  # in the queue, not yet delivered
    # Delivered to a worker and not acknowledged (running, reserved, or scheduled for a retry):
    # report id -> when it was delivered (epoch seconds, the latest if several).
    held: dict[str, float]

    def __contains__(self, report_id) -> bool:
        return str(report_id) in self.waiting or str(report_id) in self.held


def broker_reports() -> BrokerReports | None:
    """Which reports have a render message waiting, reserved or scheduled in the broker.

    None when that cannot be known: not a Redis broker, Redis unreachable, or too many messages.
    A message held by a worker that has since died stays "held" until Redis's visibility timeout
    puts it back; the sweep therefore trusts a held message only for a while after delivery.
    """
    from portal.celery import app

    broker_url = str(app.conf.broker_url or "")
    if app.conf.task_always_eager or not broker_url.startswith(("redis://", "rediss://")):
        return None
    try:
        with app.connection_for_read() as conn:
            channel = conn.default_channel
            queue = app.conf.task_default_queue
            # kombu's own key names (priority lists, unacked hash and index, key prefix).
            keys = [channel._q_for_pri(queue, step) for step in channel.priority_steps]
            with channel.client.pipeline(transaction=True) as pipe:
                for key in keys:
                    pipe.lrange(key, 0, SCAN_LIMIT)
                pipe.hgetall(channel.unacked_key)
                pipe.zrange(channel.unacked_index_key, 0, -1, withscores=True)
                *waiting, unacked, delivered = pipe.execute()
    except (OperationalError, RedisError, OSError, AttributeError) as error:
        # AttributeError: a kombu release that renamed the private names used above.
        logger.warning("Could not read the broker's queue, judging reports by age: %r", error)
        return None
    entries = [entry for entries in waiting for entry in entries]
    if len(entries) + len(unacked) > SCAN_LIMIT:
        return None
    delivered_at = {_text(tag): when for tag, when in delivered}
    held: dict[str, float] = {}
    for tag, entry in unacked.items():
        report_id = render_message_report_id(entry)
        if report_id:
            when = delivered_at.get(_text(tag), 0.0)
            held[report_id] = max(when, held.get(report_id, 0.0))
    waiting_ids = frozenset(filter(None, (render_message_report_id(e) for e in entries)))
    return BrokerReports(waiting=waiting_ids, held=held)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def render_message_report_id(raw: bytes | str) -> str | None:
    """The report id a raw Redis entry asks to render, or None (another task, unreadable)."""
    try:
        message = json.loads(raw)
        if isinstance(message, list):  # unacked entries are [message, exchange, routing key]
            message = message[0]
        if message["headers"].get("task") != RENDER_TASK:
            return None
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        return str(args[0])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, binascii.Error):
        return None
