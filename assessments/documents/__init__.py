"""Documents a client must keep, drafted from its assessment: AI use policy, register of AI
systems, Art. 4 literacy record, DPIA screening, Art. 30 entries, vendor register.

The texts come from the consultancy's templates (``templates/assessments/documents/<lang>/``,
Markdown with Django template tags); the catalogue supplies the facts they cite and the DPIA
criteria. A consultant edits a draft (every save is a new ``DocumentVersion``: who, when, what
changed), releases one version to the client, and the client downloads it as Word (python-docx)
or PDF (WeasyPrint, rendered by a worker like the reports).
"""
