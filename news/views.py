import uuid

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from portal.pagination import page_urls
from portal.privacy.audit import client_data
from portal.views import consultant_required

from . import selectors, services
from .filters import AffectedFilter, AffectedFilterForm
from .forms import InformClientsForm
from .rows import affected_rows_html

PAGE_SIZE = 9


@client_data(None)
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    tag_slug = request.GET.get("tag", "")
    tag = selectors.tag_get(slug=tag_slug)
    if tag_slug and tag is None:
        raise Http404
    paginator = Paginator(selectors.articles_public(tag=tag_slug), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "news/article_list.html",
        {
            "page": page,
            "tag": tag,
            "tags": selectors.tags_in_use(),
            "site_url": settings.SITE_URL,
        },
    )


@client_data(None)
@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get_for_user(user=request.user, slug=slug)
    affected_count = None
    if request.user.is_authenticated and request.user.is_consultant:
        affected_count = selectors.affected_count(user=request.user, article=article)
    return render(
        request,
        "news/article_detail.html",
        {
            "article": article,
            "related": selectors.articles_related(article=article),
            "affected_count": affected_count,
            "site_url": settings.SITE_URL,
        },
    )


@client_data(None)
@require_GET
def article_cover(request: HttpRequest, name: str) -> FileResponse:
    """A cover image, for as long as an article the person may read uses it."""
    article = selectors.article_with_cover(user=request.user, name=name)
    response = FileResponse(article.cover.open("rb"))
    response["Cache-Control"] = "public, max-age=86400" if article.is_public else "private"
    return response


def _uuids(values) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(str(value)))
        except ValueError:
            continue  # not one of ours: the form reports it as an invalid choice
    return out


@client_data("news_impact")
@consultant_required
@require_http_methods(["GET", "POST"])
def affected_clients(request: HttpRequest, slug: str) -> HttpResponse:
    """The clients an article concerns, 50 per page, filtered and sorted in the URL; the
    checked ones are told (e-mail) or marked as told."""
    article = selectors.article_get_for_impact(user=request.user, slug=slug)
    filters = AffectedFilter.from_query(request.GET)
    posted = _uuids(request.POST.getlist("organizations")) if request.method == "POST" else []
    form = InformClientsForm(
        request.POST or None,
        organization_ids=selectors.affected_ids(
            user=request.user, article=article, organization_ids=posted
        )
        if posted
        else [],
    )
    if request.method == "POST" and form.is_valid():
        outcome = services.clients_inform(
            article=article,
            organization_ids=form.cleaned_data["organizations"],
            actor=request.user,
            send_email=form.cleaned_data["action"],
        )
        if outcome.emailed:
            messages.success(
                request,
                ngettext(
                    "E-Mail an %(count)d Kunden verschickt.",
                    "E-Mails an %(count)d Kunden verschickt.",
                    len(outcome.emailed),
                )
                % {"count": len(outcome.emailed)},
            )
        messages.info(
            request,
            ngettext(
                "%(count)d Kunde ist als informiert vermerkt.",
                "%(count)d Kunden sind als informiert vermerkt.",
                len(outcome.informed),
            )
            % {"count": len(outcome.informed)},
        )
        if outcome.without_recipients:
            messages.warning(
                request,
                _("Ohne E-Mail-Empfänger (kein Mitglied): %(names)s")
                % {"names": ", ".join(outcome.without_recipients)},
            )
        return redirect(
            reverse("news:affected", args=[article.slug]) + filters.url(page=filters.page)
        )
    page = selectors.affected_page(user=request.user, article=article, filters=filters)
    return render(
        request,
        "news/affected_clients.html",
        {
            "article": article,
            "vendor_names": [name for _key, name in selectors.article_impact_vendors(article)],
            "page": page,
            "rows": page.object_list,
            "rows_html": affected_rows_html(page.object_list),
            "form": form,
            "filters": filters,
            "filter_form": AffectedFilterForm(
                {
                    "q": filters.q,
                    "level": filters.level,
                    "informed": filters.informed,
                    "mine": filters.mine,
                    "sort": filters.sort,
                }
            ),
            "page_urls": page_urls(page, lambda number: filters.url(page=number)),
            "reset_url": "?",
        },
        status=400 if form.is_bound else 200,
    )


@client_data(None)  # the person's own address, shown to the person the link was made for
@csrf_exempt  # mail programs send the one-click POST of RFC 8058 without a form or cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop or restart the consultants' news e-mails for the person the link was made for.

    A GET only asks (link checkers in mail filters open every link); the POST acts, from the
    button on the page or from the mail program's own "unsubscribe" (``List-Unsubscribe``).
    """
    user = services.unsubscribe_user(token=token)
    if user is None:
        return render(request, "news/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        if request.POST.get("action") == "resubscribe":
            services.followups_opt_in(user=user)
        else:
            services.followups_opt_out(user=user)
    return render(
        request,
        "news/unsubscribe.html",
        {"email": user.email, "opted_out": selectors.followups_opted_out(user=user)},
    )
