"""Uploads above their limit: never stored, answered with a page that says so.

Django reads the whole multipart body (to memory or a temporary file) before any view or form
sees it, so a size check in a form comes after a 50 MB body has been stored. This handler runs
first: it refuses a file whose declared size or received bytes exceed the limit
(``UPLOAD_MAX_BYTES``; larger for the URLs in ``LARGER_UPLOADS``) and stops storing it. The rest
of the body is then read in small pieces and thrown away, so that the browser, which is still
sending, gets to read the answer: ``UploadTooLargeMiddleware`` replies with the 413 page before
the view sees the truncated form, unless the view says it answers that itself
(``@shows_upload_too_large``, e.g. an error on the page the upload came from). A server that
closed the connection instead would leave the browser with "connection reset" and no explanation.

A body larger than ``UPLOAD_DRAIN_MAX_BYTES`` (declared in its Content-Length) is not read to the
end: such a request is not a person's mistake, and the connection is simply closed. A reverse
proxy in front of the portal should refuse those itself (nginx: ``client_max_body_size``).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

# URL names whose uploads may be larger than UPLOAD_MAX_BYTES, and the setting that says how much.
LARGER_UPLOADS = {"evidence_upload": "EVIDENCE_MAX_BYTES"}
DRAIN_CHUNK = 64 * 1024


def upload_too_large(request) -> bool:
    return getattr(request, "upload_too_large", False)


def upload_limit(request) -> int:
    """The byte limit for this request's upload (the body is parsed after URL resolution)."""
    match = getattr(request, "resolver_match", None)
    setting = LARGER_UPLOADS.get(getattr(match, "url_name", None) or "")
    return getattr(settings, setting) if setting else settings.UPLOAD_MAX_BYTES


def shows_upload_too_large(view):
    """The view answers a refused upload itself (it checks ``upload_too_large(request)``)."""
    view.shows_upload_too_large = True
    return view


class SizeLimitUploadHandler(FileUploadHandler):
    body = None
    body_length = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body, self.body_length = input_data, content_length
        return None  # the parser goes on as usual

    def _refuse(self):
        if self.request is not None:
            self.request.upload_too_large = True
        if self.body is not None and (self.body_length or 0) <= settings.UPLOAD_DRAIN_MAX_BYTES:
            # Read what is left in small pieces (Django's own draining reads line by line: one
            # "line" of 50 MB without a line break would be held whole).
            while self.body.read(DRAIN_CHUNK):
                pass
        raise StopUpload(connection_reset=True)  # Django: do not read any further

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


class UploadTooLargeMiddleware:
    """Answer 413 with a page for a request whose upload was refused, before the view sees the
    truncated form. Install after ``CsrfViewMiddleware`` (which reads the form first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or not request.content_type.startswith("multipart/"):
            return None
        request.FILES  # noqa: B018 - parses the body (CSRF has usually done so already)
        if not upload_too_large(request) or getattr(view_func, "shows_upload_too_large", False):
            return None
        return render(
            request, "413.html", {"limit": filesizeformat(upload_limit(request))}, status=413
        )
