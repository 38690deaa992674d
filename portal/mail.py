"""Sending a templated e-mail in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation


def email_send(
    *,
    template: str,
    to: list[str],
    context: dict,
    language: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Send the triplet ``<template>_subject.txt``, ``_body.txt`` and ``_body.html``.

    Subject and text part come from the ``text`` template engine (no HTML autoescaping: a
    company called "Müller & Söhne" keeps its ampersand); the HTML part escapes as usual and
    gets the subject as its title. Every value is on one line in the subject.
    """
    context = {"consultancy": settings.CONSULTANCY, "site_url": settings.SITE_URL, **context}
    text_engine = engines["text"]
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        subject = " ".join(
            text_engine.get_template(f"{template}_subject.txt").render(context).split()
        )
        text = text_engine.get_template(f"{template}_body.txt").render(context)
        html = render_to_string(f"{template}_body.html", {**context, "subject": subject})
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=to, reply_to=reply_to, headers=headers
    )
    message.attach_alternative(html, "text/html")
    message.send()
