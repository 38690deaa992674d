"""Stop reading an upload as soon as it passes ``UPLOAD_MAX_BYTES``.

Django reads the whole multipart body (to memory or a temporary file) before any view or form
sees it, so a size check in a form comes after a 50 MB body has been received. This handler runs
first: it refuses a file whose declared size or received bytes exceed the limit, stops the parser
without reading the rest of the body, and marks the request so the view can say why.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


def upload_too_large(request) -> bool:
    return getattr(request, "upload_too_large", False)


class SizeLimitUploadHandler(FileUploadHandler):
    def _refuse(self):
        if self.request is not None:
            self.request.upload_too_large = True
        raise StopUpload(connection_reset=True)

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        if content_length is not None and content_length > settings.UPLOAD_MAX_BYTES:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handler stores the file
