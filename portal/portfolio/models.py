"""The portfolio's stored figures: one summary row per client and the portfolio-wide counts.

Both are derived data, written only by ``portal.portfolio.summary`` in the same transaction as
the change they summarise, so that no page has to compute over every client per view.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

SORTED = ("readiness", "lock_in", "gdpr", "ai_act", "continuity", "governance", "submitted_at")


class SummaryValues(models.Model):
    """The values of a client's summary row: what the portfolio filters, sorts, counts and
    shows. ``ClientSummary`` holds them as they are, ``ClientSummaryChange`` as they were."""

    name = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=32, blank=True)
    size_band = models.CharField(max_length=16, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    review_state = models.CharField(max_length=16, blank=True, db_index=True)
    readiness = models.PositiveSmallIntegerField(null=True, blank=True)
    lock_in = models.PositiveSmallIntegerField(null=True, blank=True)
    gdpr = models.PositiveSmallIntegerField(null=True, blank=True)
    ai_act = models.PositiveSmallIntegerField(null=True, blank=True)
    continuity = models.PositiveSmallIntegerField(null=True, blank=True)
    governance = models.PositiveSmallIntegerField(null=True, blank=True)
    worst_level = models.CharField(max_length=16, blank=True, db_index=True)
    level_lock_in = models.CharField(max_length=16, blank=True)
    level_gdpr = models.CharField(max_length=16, blank=True)
    level_ai_act = models.CharField(max_length=16, blank=True)
    level_continuity = models.CharField(max_length=16, blank=True)
    level_governance = models.CharField(max_length=16, blank=True)
    incomplete_answers = models.BooleanField(default=False)
    vendor_exposure = models.JSONField(default=dict, blank=True)
    open_actions = models.PositiveIntegerField(default=0)
    next_due = models.DateField(null=True, blank=True)  # earliest due date of an open action

    class Meta:
        abstract = True


class ClientSummary(SummaryValues):
    """What the portfolio shows of one client, kept up to date as the client's data changes.

    The latest result's scores and levels (the dimension levels under the active catalogue's
    thresholds), its submission and review state, the open actions of its plan, and the
    industry and size band the benchmarks group by. Empty scores: no result yet.

    The client's name and consultant are copied too, so that a filtered portfolio's counts read
    this one table (``selectors.portfolio_counted``): joined with every client, the join cost
    more than the counting.
    """

    organization = models.OneToOneField(
        "portal.Organization",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="summary",
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # PostgreSQL: the id of the transaction that last changed the row, set by a trigger
    # (``portal.portfolio.changes``): which rows changed since a cached overview was counted
    changed_xid = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Kundenübersicht")
        verbose_name_plural = _("Kundenübersichten")
        indexes = [
            # a page sorted by a score walks one of these, then sorts only the clients with
            # equal scores by name (PostgreSQL also gets the descending orders with the clients
            # without a result last: migration portal/0010, SQLite cannot index NULLS LAST)
            *(models.Index(fields=[name], name=f"summary_{name}") for name in SORTED[:-1]),
            models.Index(fields=["next_due"], name="summary_next_due"),
            models.Index(fields=["changed_xid"], name="summary_changed_xid"),
            models.Index(fields=["industry"], name="summary_industry"),
            # a heat-map cell's filter reads the clients of one level, not every row
            *(
                models.Index(fields=[f"level_{dim}"], name=f"summary_level_{dim}")
                for dim in SORTED[1:-1]  # the five dimensions
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.readiness}"


class ClientSummaryChange(SummaryValues):
    """A client's summary row as it was before a change or its deletion, with the id of the
    transaction that changed it. Written by a PostgreSQL trigger (``portal.portfolio.changes``),
    read to tell whether a cached filtered overview still holds (no row that matched the filter
    before or after changed since it was counted), pruned after an hour."""

    xid = models.BigIntegerField()
    at = models.DateTimeField(db_default=Now())
    organization_id = models.UUIDField()
    deleted = models.BooleanField(default=False)  # the client's deletion (no values kept)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # the person may be gone: the row keeps the id it had
        db_index=False,
        related_name="+",
    )
    # the summary's indexed values without their indexes: the log is read by transaction id
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_state = models.CharField(max_length=16, blank=True)
    worst_level = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("Kundenübersicht vor einer Änderung")
        verbose_name_plural = _("Kundenübersichten vor einer Änderung")
        indexes = [
            models.Index(fields=["xid"], name="summary_change_xid"),
            models.Index(fields=["at"], name="summary_change_at"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} before {self.xid}"


class PortfolioFigure(models.Model):
    """One count or sum over every client's summary (``"total"``, ``"level:high"``,
    ``"heat:gdpr:critical"``, ``"bench:industry:craft:readiness"`` …), kept by adding the
    difference whenever a summary row changes. The value is the sum over the shards: each
    database connection adds to its own row, so concurrent writers never wait for each other
    (``portal.portfolio.summary``)."""

    key = models.CharField(max_length=96)
    shard = models.PositiveSmallIntegerField(default=0)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("Portfolio-Kennzahl")
        verbose_name_plural = _("Portfolio-Kennzahlen")
        constraints = [
            models.UniqueConstraint(fields=["key", "shard"], name="portfolio_figure_key_shard")
        ]

    def __str__(self) -> str:
        return f"{self.key}[{self.shard}] = {self.value}"
