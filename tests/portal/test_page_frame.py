"""The page frame (templates/base.html): its links and labels are rendered once per process for
each language and role and kept in the process's "chrome" cache (decision 0060). Whoever reads
next must still get the frame of their own role and language, with their own name, their own
CSRF token and the page they are on."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.test import Client
from django.urls import reverse
from django.utils.autoreload import file_changed

from tests.factories import UserFactory
from tests.portal.test_settings import settings_printed

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _signed_in(user, *, language: str = "de") -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_each_reader_gets_the_frame_of_their_role_and_language(consultant, alice, org_a):
    """One process, no cache cleared between the readers: a consultant, a client's member, an
    administrator, a guest, then the consultant again in English."""
    dashboard = reverse("consultant_dashboard")
    company = reverse("organization_detail", args=[org_a.pk])

    page = _page(_signed_in(consultant), dashboard)
    assert ">Aufgaben</a>" in page and ">Stresstest</a>" in page
    assert "Mein Unternehmen" not in page and ">Verwaltung</a>" not in page
    assert f">{consultant.display_name}</a>" in page and 'lang="de"' in page
    # the fragment is kept for the next consultant reading German
    key = make_template_fragment_key(
        "chrome_nav",
        ["de", True, True, False, "", settings.CONSULTANCY["logo"]],
    )
    assert caches["chrome"].get(key) is not None

    page = _page(_signed_in(alice), company)
    assert "Mein Unternehmen" in page and f">{alice.display_name}</a>" in page
    assert ">Aufgaben</a>" not in page and consultant.display_name not in page

    admin = UserFactory(email="admin@beratung.example", first_name="Adrian", is_staff=True)
    page = _page(_signed_in(admin), reverse("home"))
    assert ">Verwaltung</a>" in page and f">{admin.display_name}</a>" in page

    page = _page(Client(), reverse("landing"))
    assert ">Anmelden</a>" in page and "Abmelden" not in page and "Mein Unternehmen" not in page

    page = _page(_signed_in(consultant, language="en"), dashboard)
    assert ">Tasks</a>" in page and ">Aufgaben</a>" not in page
    assert 'lang="en"' in page and '<option value="en" selected>' in page
    assert ">Sign out</button>" in page or ">Log out</button>" in page


def test_the_frame_s_forms_carry_each_reader_s_own_token_and_page(consultant, alice, org_a):
    """The language switch posts with the token of the session that read the page and returns
    to the page it was on; a token kept in the frame would fail the second reader with 403."""
    readers = [
        (_signed_in(consultant), reverse("consultant_dashboard")),
        (_signed_in(alice), reverse("organization_detail", args=[org_a.pk])),
        (_signed_in(consultant), reverse("task_list")),
    ]
    tokens = []
    for client, url in readers:
        page = _page(client, url)
        assert f'<input name="next" type="hidden" value="{url}">' in page
        token = TOKEN.search(page).group(1)
        tokens.append(token)
        response = client.post(
            reverse("set_language"),
            {"language": "en", "next": url, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302 and response["Location"] == url
    assert len(set(tokens)) == len(tokens)


def test_production_keeps_the_frame_in_each_process_as_the_tests_do():
    code = "from django.conf import settings as s; print(s.CACHES['chrome']['BACKEND'])"
    production = {
        "DEBUG": "0",
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "portal.example",
        "CACHE_URL": "redis://127.0.0.1:6379/9",
    }
    printed = settings_printed(code, env=production, drop={"DEBUG", "CACHE_URL"})
    # never the shared Redis: a round trip would cost what the render saves
    assert printed == settings.CACHES["chrome"]["BACKEND"]
    assert printed == "django.core.cache.backends.locmem.LocMemCache"


def test_runserver_forgets_the_frame_when_a_template_or_translation_changes(consultant):
    _page(_signed_in(consultant), reverse("consultant_dashboard"))
    kept = caches["chrome"]
    for changed, forgotten in (("views.py", False), ("base.html", True), ("django.mo", True)):
        _page(_signed_in(consultant), reverse("consultant_dashboard"))
        key = make_template_fragment_key("chrome_footer", ["de", ""])
        assert kept.get(key) is not None
        file_changed.send(sender=None, file_path=Path(settings.BASE_DIR) / changed)
        assert (kept.get(key) is None) == forgotten


@pytest.mark.parametrize(
    ("first", "last"),
    [("Carla", "Steinberg"), ("Carla", ""), ("", "Steinberg"), ("", ""), (" ", ""), ("Anna ", "")],
)
def test_a_person_is_named_alike_in_the_frame_and_in_rows_read_as_values(first, last):
    """``User.display_name`` (the frame, model rows) and ``person_name`` (rows read as plain
    values: the dashboard, the results page's plan) are one definition: Django's full name, else
    the e-mail address."""
    from portal.models import User, person_name

    user = User(first_name=first, last_name=last, email="c.steinberg@beratung.example")
    assert user.display_name == (user.get_full_name() or user.email)
    assert person_name(first, last, user.email) == user.display_name == str(user)
    assert person_name(None, None, None) == ""
