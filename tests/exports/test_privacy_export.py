"""The owner's data export (Art. 15/20 GDPR), read as the owner would: in a spreadsheet."""

import csv
import io
import re
import zipfile

import pytest
from django.urls import reverse

from assessments.review.services import review_transition
from tests.security.test_privacy import filled  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _archive(client, organization) -> zipfile.ZipFile:
    response = client.get(reverse("organization_export", args=[organization.pk]))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


def _table(archive, name) -> list[dict]:
    text = archive.read(name).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def _folder(archive) -> str:
    return next(n for n in archive.namelist() if n.endswith("antworten.csv")).rsplit("/", 1)[0]


def test_answers_carry_question_texts_and_answer_labels_beside_the_keys(
    client,
    alice,
    org_a,
    filled,  # noqa: F811
):
    client.force_login(alice)
    archive = _archive(client, org_a)
    rows = _table(archive, f"{_folder(archive)}/antworten.csv")
    staff = next(row for row in rows if row["Schlüssel der Frage"] == "staff")
    assert staff["Frage"] == "Wie viele Beschäftigte nutzen KI?"
    assert staff["Antwort"] == "12" and staff["gespeicherter Wert"] == "12"
    assert staff["Abschnitt"]
    data = next(row for row in rows if row["Schlüssel der Frage"] == "chatgpt_data")
    assert data["Frage"] == "Geben Mitarbeitende Kundendaten in ChatGPT ein?"
    assert data["Antwort"] in ("Ja", "Nein")


def test_timestamps_are_plain_and_no_file_is_empty_without_a_word(
    client,
    alice,
    org_a,
    filled,  # noqa: F811
):
    client.force_login(alice)
    archive = _archive(client, org_a)
    for name in archive.namelist():
        if not name.endswith(".csv"):
            continue
        text = archive.read(name).decode("utf-8-sig")
        assert text.splitlines(), name  # at least the header
        assert '"20' not in text, name  # no JSON-quoted timestamps
    members = _table(archive, "mitglieder.csv")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", members[0]["Mitglied seit"])
    assert members[0]["Rolle"] in ("Inhaber/in", "Mitglied")
    invitations = archive.read("einladungen.csv").decode("utf-8-sig")
    assert invitations.splitlines()[0].startswith("E-Mail-Adresse;Rolle")
    readme = archive.read("LIESMICH.txt").decode()
    assert "einladungen.csv/.json" in readme and "keine Einträge" in readme
    assert "antworten.csv/.json" in readme


def test_action_plan_and_review_history_are_included_without_internal_notes(
    client,
    alice,
    org_a,
    consultant,
    filled,  # noqa: F811
):
    review_transition(assessment=filled, to_state="in_review", actor=consultant)
    action = filled.actions.first()
    assert action is not None
    action.internal_note = "Nur intern: zahlt spät"
    action.save()
    client.force_login(alice)
    archive = _archive(client, org_a)
    folder = _folder(archive)
    plan = _table(archive, f"{folder}/massnahmen.csv")
    assert plan and plan[0]["Maßnahme"] and plan[0]["Stand"]
    history = _table(archive, f"{folder}/pruefverlauf.csv")
    assert [row["nach"] for row in history][-1] == "in Prüfung"
    assert history[-1]["Person"] == consultant.display_name
    everything = b"".join(archive.read(n) for n in archive.namelist())
    assert b"Nur intern" not in everything
