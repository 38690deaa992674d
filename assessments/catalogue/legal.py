"""Schema of the AI Act decision procedure (``ai_act.procedure``) and of the legal order of the
action plan (``law_as_of``, a recommendation's ``urgency``, ``rows`` filters).

The procedure is data: which use-case field carries which legal fact, what each role option of a
row means, and per purpose (an option of the use-case area field) the legal elements to test —
an Art. 5 practice, an Annex I route, an Annex III point, an Art. 50 paragraph, the duties of a
general-purpose model provider — with their conditions on the row, exceptions, dates, duties by
role, sentences for the legal path and the question to ask where the answers cannot decide. The
order in which the law tests them lives in code (``assessments.scoring.procedure``).
See docs/catalogue-format.md, "AI Act procedure".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from .condition_checks import check_row_condition
from .fields import AiActClass, FactKeys, Key, Loc, NonEmpty, Problems, Text, _Model

ROLES = ("provider", "deployer", "distributor")
Role = Literal["provider", "deployer", "distributor"]
Step = Literal["art5", "annex_i", "annex_iii", "art50", "gpai"]
STEPS = ("art5", "annex_i", "annex_iii", "art50", "gpai")  # the law's order
FILTER_LETTERS = ("a", "b", "c", "d")
# the facts a procedure reads from a use-case row
PROCEDURE_FIELDS = ("purpose", "role", "affected", "output", "safety", "service")
# a duty listed for "any" applies to every role that has duties at all
DUTY_HOLDERS = (*ROLES, "any")


class RowFilter(_Model):
    """Which classified use cases a recommendation or knock-out rule is about: all lists are
    "any of", the keys combine with "and". ``elements`` match a row's legal elements exactly or
    as a prefix ("annex_iii" matches "annex_iii_4_a")."""

    model_config = _Model.model_config | {"populate_by_name": True, "serialize_by_alias": True}

    class_: tuple[AiActClass, ...] = Field(default=(), alias="class")
    at_stake: tuple[AiActClass, ...] = ()
    role: tuple[Role, ...] = ()
    elements: tuple[Key, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self):
        if not (self.class_ or self.at_stake or self.role or self.elements):
            message = _("braucht mindestens eines von class, at_stake, role, elements")
            raise Problems([((), message)])
        return self


class Duty(_Model):
    text: Text
    article: NonEmpty | None = None  # None: the article of the element that lists the duty
    applies_from: dt.date | None = None  # None: the element's date


class Element(_Model):
    """One legal element a use case is tested against."""

    step: Step
    article: NonEmpty
    applies_from: dt.date | None = None
    # row conditions (like a repeat group's ``any_row``); a field answered "weiß nicht" or left
    # empty leaves the element open: "prüfen" with ``check``
    when: dict[str, Any] | None = None
    unless: dict[str, Any] | None = None  # the exception
    needs_check: bool = False  # the questionnaire can never decide it: always "prüfen"
    exception: Key | None = None  # element recorded when ``unless`` holds
    # art50 / gpai: who bears the duty; art5: the roles the practice is prohibited for (none:
    # all), e.g. Art. 5(1a)(a) for providers only – an open role leaves the row "prüfen"
    roles: tuple[Role, ...] = ()
    path: Text  # the sentence when the element applies
    path_not: Text | None = None  # when ``when`` does not hold
    path_excepted: Text | None = None  # when the exception holds
    path_other_role: Text | None = None  # the duty or ban is another role's
    path_open: Text | None = None  # when the answers cannot decide
    check: Text | None = None
    label: Text | None = None  # the row's class title when this element decides it
    annex_iii: NonEmpty | None = None  # the point as shown ("Anhang III Nr. 4 Buchst. a")
    # annex_iii: how Art. 6(3) applies – "answer": the output field decides; "profiling": the
    # purpose is profiling of natural persons (always high-risk); "none": no filter fits
    filter: Literal["answer", "profiling", "none"] = "answer"
    duties: dict[Literal["provider", "deployer", "distributor", "any"], tuple[Key, ...]] = {}
    facts: FactKeys = ()
    # annex_i: Annex I section B – only Art. 6(1), 60a and 102 to 112 apply (Art. 2(2)), so no
    # Art. 50 and no Art. 4 duty for the row
    sectoral: bool = False


class RoleOption(_Model):
    role: Role
    uses_it: bool = False  # a provider that also deploys the system itself
    # Art. 25(1): "a" name or trademark on a high-risk system; "bc" substantial modification or
    # new intended purpose. The row's role becomes provider only where the system is high-risk.
    art25: Literal["a", "bc"] | None = None
    path: Text


class CompanyRole(_Model):
    """The company-level answer that stands in for a row without a role."""

    question: Key
    options: dict[Key, Key]  # answer of ``question`` -> role option of the row field


class Purpose(_Model):
    elements: tuple[Key, ...] = ()
    note: Text | None = None  # a sentence for the path (why something does not apply)
    # the purpose is profiling of natural persons: no Art. 6(3) filter (e.g. targeted job ads)
    profiling: bool = False


class Art63(_Model):
    """Art. 6(3): which answers of the output field are the four filters, which evaluate
    people, and the sentences for each outcome."""

    filters: dict[Key, Literal["a", "b", "c", "d"]]
    people: tuple[Key, ...]  # outputs that evaluate people: no filter
    path_filter: dict[Literal["a", "b", "c", "d"], Text]
    path_people: Text
    path_profiling: Text
    path_none: Text
    path_no_filter: Text  # an output that claims none of the four
    check: Text
    provider_duty: Key  # Art. 6(4): document the assessment, register


class GeneralPurpose(_Model):
    """Art. 25(1)(c): a deployer that uses a general-purpose product (one of ``services``, an
    option of the row's service field) for a high-risk purpose may become its provider – the row
    records ``element``, says ``path`` and asks ``check``."""

    services: tuple[Key, ...]
    element: Key
    path: Text
    check: Text


class Texts(_Model):
    minimal: Text  # no element applies
    role_unknown: Text
    role_check: Text
    art25_a: Text
    art25_bc: Text
    open: Text  # "an open question decides" (the check follows)
    purpose_check: Text  # the question when the purpose is unknown


class Procedure(_Model):
    fields: dict[Literal["purpose", "role", "affected", "output", "safety", "service"], Key]
    company_role: CompanyRole | None = None
    roles: dict[Key, RoleOption]
    role_titles: dict[Role, Text]
    literacy: Key  # the Art. 4 duty every provider and deployer carries
    art6_3: Art63
    texts: Texts
    general_purpose: GeneralPurpose | None = None
    purposes: dict[Key, Purpose]
    elements: dict[Key, Element]
    duties: dict[Key, Duty]

    @model_validator(mode="after")
    def _references(self):
        problems: list[tuple[Loc, str]] = []
        missing = [name for name in ("purpose", "role") if name not in self.fields]
        for name in missing:
            problems.append((("fields",), _("das Feld %(name)r fehlt") % {"name": name}))
        for role in ROLES:
            if role not in self.role_titles:
                message = _("Titel für die Rolle %(role)r fehlt") % {"role": role}
                problems.append((("role_titles",), message))

        def duty(loc: Loc, key: str) -> None:
            if key not in self.duties:
                problems.append((loc, _("unbekannte Pflicht %(key)r") % {"key": key}))

        duty(("literacy",), self.literacy)
        duty(("art6_3", "provider_duty"), self.art6_3.provider_duty)
        for key, element in self.elements.items():
            for holder, keys in element.duties.items():
                for k in keys:
                    duty(("elements", key, "duties", holder), k)
            if (element.when or element.unless or element.needs_check) and element.check is None:
                message = _("ein Tatbestand mit Bedingung braucht 'check' (die offene Frage)")
                problems.append((("elements", key), message))
            if element.step in {"art50", "gpai"} and not element.roles:
                message = _("Art. 50 und KI-Modelle brauchen 'roles' (wen die Pflicht trifft)")
                problems.append((("elements", key, "roles"), message))
        if self.general_purpose is not None and "service" not in self.fields:
            message = _("'general_purpose' braucht das Feld 'service'")
            problems.append((("general_purpose",), message))
        for key, purpose in self.purposes.items():
            for e in purpose.elements:
                if e not in self.elements:
                    message = _("unbekannter Tatbestand %(key)r") % {"key": e}
                    problems.append((("purposes", key, "elements"), message))
        for key, duty_spec in self.duties.items():
            if duty_spec.article is None or duty_spec.applies_from is None:
                # inherited from the element: only for duties that elements list
                users = [e for e in self.elements.values() if key in _keys(e.duties)]
                if not users:
                    message = _("braucht 'article' und 'applies_from' (kein Tatbestand nennt sie)")
                    problems.append((("duties", key), message))
        if problems:
            raise Problems(problems)
        return self


def _keys(duties: dict) -> set[str]:
    return {k for keys in duties.values() for k in keys}


def procedure_problems(procedure: Procedure, group: Any, questions: dict) -> list:
    """Cross-checks against the questionnaire: the fields exist in the use-case group, the
    role and purpose options exist, the row conditions fit the group's fields."""
    problems: list[tuple[Loc, str]] = []
    base: Loc = ("ai_act", "procedure")
    fields = {f.key: f for f in group.fields}
    for name, key in procedure.fields.items():
        if key not in fields:
            message = _("unbekanntes Feld %(field)r in der repeat_group %(group)r") % {
                "field": key,
                "group": group.key,
            }
            problems.append(((*base, "fields", name), message))
    if problems:
        return problems

    def options(name: str) -> set[str]:
        field = fields[procedure.fields[name]]
        return {o.key for o in getattr(field, "options", ()) or ()}

    for key in set(procedure.roles) - options("role"):
        message = _("%(value)r ist keine Option von %(key)r") % {
            "value": key,
            "key": procedure.fields["role"],
        }
        problems.append(((*base, "roles", key), message))
    if procedure.general_purpose is not None and "service" in procedure.fields:
        for key in set(procedure.general_purpose.services) - options("service"):
            message = _("%(value)r ist keine Option von %(key)r") % {
                "value": key,
                "key": procedure.fields["service"],
            }
            problems.append(((*base, "general_purpose", "services"), message))
    for key in set(procedure.purposes) - options("purpose"):
        message = _("%(value)r ist keine Option von %(key)r") % {
            "value": key,
            "key": procedure.fields["purpose"],
        }
        problems.append(((*base, "purposes", key), message))
    if "output" in procedure.fields:
        known = options("output")
        for key in [*procedure.art6_3.filters, *procedure.art6_3.people]:
            if key not in known:
                message = _("%(value)r ist keine Option von %(key)r") % {
                    "value": key,
                    "key": procedure.fields["output"],
                }
                problems.append(((*base, "art6_3"), message))
    for key, element in procedure.elements.items():
        for name in ("when", "unless"):
            cond = getattr(element, name)
            if cond is not None:
                loc = (*base, "elements", key, name)
                problems += check_row_condition(cond, loc, fields, group.key)
    company = procedure.company_role
    if company is not None:
        question = questions.get(company.question)
        if question is None:
            message = _("unbekannte Frage %(key)r") % {"key": company.question}
            problems.append(((*base, "company_role", "question"), message))
        else:
            answers = {o.key for o in getattr(question, "options", ()) or ()}
            for answer, role in company.options.items():
                if answer not in answers or role not in procedure.roles:
                    message = _("%(value)r ist keine Option von %(key)r") % {
                        "value": answer if answer not in answers else role,
                        "key": company.question if answer not in answers else "roles",
                    }
                    problems.append(((*base, "company_role", "options"), message))
    return problems


def row_filter_problems(rows: RowFilter, loc: Loc, procedure: Procedure | None) -> list:
    """A ``rows`` filter needs a procedure, and its elements must exist there (as a key or a
    prefix of one)."""
    if procedure is None:
        return [(loc, _("'rows' braucht ein ai_act.procedure"))]
    known = set(procedure.elements) | {
        e.exception for e in procedure.elements.values() if e.exception
    }
    known |= {f"art6_3_{letter}" for letter in FILTER_LETTERS} | {"art25_1_a", "art25_1_bc"}
    if procedure.general_purpose is not None:
        known.add(procedure.general_purpose.element)
    problems: list[tuple[Loc, str]] = []
    for element in rows.elements:
        if not any(k == element or k.startswith(element + "_") for k in known):
            message = _("unbekannter Tatbestand %(key)r") % {"key": element}
            problems.append(((*loc, "elements"), message))
    return problems
