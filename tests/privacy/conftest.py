from tests.reports.conftest import private_storage  # noqa: F401 - the fixture, shared with reports
