"""The links of ``templates/portal/_pagination.html``, for every list that pages with it."""

from collections.abc import Callable

from django.core.paginator import Page


def page_urls(page: Page, url: Callable[[int], str]) -> dict[str, str]:
    """First, previous, next and last page of ``page`` ("" where there is none before or
    after); ``url(number)`` gives a page's address with the list's other parameters."""
    return {
        "first": url(1),
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
        "last": url(page.paginator.num_pages),
    }
