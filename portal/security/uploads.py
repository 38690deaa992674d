"""Stop reading an upload as soon as it passes ``UPLOAD_MAX_BYTES``.

Django reads the whole multipart body (to memory or a temporary file) before any view or form
sees it, so a size check in a form comes after a 50 MB body has been received. This handler runs
first: it refuses a file whose declared size or received bytes exceed the limit, stops the parser
without reading the rest of the body, and marks the request so the view can say why.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# URL names whose uploads may be larger than UPLOAD_MAX_BYTES, and the setting that says how much.
LARGER_UPLOADS = {"evidence_upload": "EVIDENCE_MAX_BYTES"}


def upload_too_large(request) -> bool:
    return getattr(request, "upload_too_large", False)


def upload_limit(request) -> int:
    """The byte limit for this request's upload (the body is parsed after URL resolution)."""
    match = getattr(request, "resolver_match", None)
    setting = LARGER_UPLOADS.get(getattr(match, "url_name", None) or "")
    return getattr(settings, setting) if setting else settings.UPLOAD_MAX_BYTES


class SizeLimitUploadHandler(FileUploadHandler):
    def _refuse(self):
        if self.request is not None:
            self.request.upload_too_large = True
        raise StopUpload(connection_reset=True)

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        if content_length is not None and content_length > upload_limit(self.request):
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > upload_limit(self.request):
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handler stores the file
