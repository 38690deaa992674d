"""Celery tasks of the documents: thin wrappers that take ids and call a service."""

from celery import shared_task

from .services import RENDER_PDF_TASK, SWEEP_TASK, document_pdf_render, documents_pdf_sweep


@shared_task(name=RENDER_PDF_TASK, acks_late=True)
def render_document_pdf(version_id: str) -> bool:
    return document_pdf_render(version_id=version_id)


@shared_task(name=SWEEP_TASK)
def documents_sweep() -> int:
    return documents_pdf_sweep()
