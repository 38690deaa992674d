"""Reminders: due and overdue actions, e-mailed by beat as one digest per person, as often as
the person chose (daily, weekly, never); every digest sent is recorded so that the consultant
sees who was reminded of what."""
