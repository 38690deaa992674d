"""Celery tasks of the documents: thin wrappers that take ids and call a service."""

from celery import shared_task


@shared_task(name="assessments.documents.render_pdf", acks_late=True)
def render_document_pdf(version_id: str) -> bool:
    from .services import document_pdf_render

    return document_pdf_render(version_id=version_id)


@shared_task(name="assessments.documents.sweep")
def documents_sweep() -> int:
    from .services import documents_pdf_sweep

    return documents_pdf_sweep()
