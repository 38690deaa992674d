"""The consultant's task list: every open action of their clients' current plans, across
clients, overdue first, filtered and sorted in the URL; and saved filters for it and for the
portfolio dashboard."""
