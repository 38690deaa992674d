# The real-worker fixtures (private Redis, worker subprocesses against the test database),
# shared with tests/reports.
from tests.reports.worker_harness import (  # noqa: F401
    database_url,
    redis_server,
    start_worker,
    storage_dir,
)
