"""The page frame's kept parts (``templates/base.html``, decision 0060).

The frame's links, labels and asset URLs depend only on the language, the reader's role, the URL
prefix and the logo setting. Each part is rendered once per process with ``{% cache None …
using="chrome" %}`` and kept in the process's own memory (``CACHES["chrome"]``); what differs
per person or request (name, CSRF token, current path, messages) is rendered on every page.
"""

from django.core.cache import caches
from django.dispatch import receiver
from django.utils.autoreload import file_changed


@receiver(file_changed, dispatch_uid="portal_frame_file_changed")
def frame_forget(sender, file_path, **kwargs) -> None:
    """runserver shows a changed template or translation without a restart (Django resets its
    template loaders and translations); the kept parts go with them."""
    if file_path.suffix != ".py":
        caches["chrome"].clear()
