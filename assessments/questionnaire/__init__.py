"""The questionnaire flow: a client answers a catalogue version section by section.

``answers`` parses and checks a posted answer (and shows a stored one readably), ``progress``
says which questions are shown and which required ones are missing, ``services`` stores an
answer, ``selectors`` reads a draft's answers, ``presentation`` and ``views`` are the wizard.
"""
