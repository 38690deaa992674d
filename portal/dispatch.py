"""Handing work to a Celery task by the task's registered name.

A task module imports the service it wraps; a service that queued the task by importing it
would close an import circle. So services name the task instead (the same string beat's
schedule and the broker use) and take it from Celery's registry here.

The registry knows a task once its module is imported: a worker imports every task module when
it starts; a web process, the first time it sends one, through the same autodiscovery
(``CELERY_IMPORTS`` and each installed app's ``tasks``). The task found is the task object
itself, so its options (priority, late acks, time limits) and eager mode (the embedded default,
the tests) apply exactly as with ``task.delay()``. A misspelt name raises ``NotRegistered``.
"""

from celery import current_app


def task_named(name: str):
    """The registered Celery task ``name``."""
    tasks = current_app.tasks
    if name not in tasks:
        current_app.loader.import_default_modules()
    return tasks[name]
