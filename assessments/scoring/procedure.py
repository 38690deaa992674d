"""The AI Act's own decision procedure for one use case (pure: plain data in, dataclasses out).

The order is the law's and lives here; everything the law says lives in the catalogue's
``ai_act.procedure`` (see ``assessments.catalogue.legal`` and docs/catalogue-format.md):

1. **Role** – the row's role option (provider, deployer, distributor), or the company-level answer
   when the row has none; Art. 25(1) turns a deployer or distributor into the provider where the
   system turns out high-risk (step 4).
2. **Art. 5** – the purpose's prohibited practices in order; an exception (``unless``) lets the
   walk go on, an undecidable condition leaves the row "prüfen" with the worst case at stake.
   A practice prohibited for some roles only (``roles``, e.g. Art. 5(1a)(a): providers) names
   the other roles' position in the path. A prohibited row stops here: its only duty is to end
   the practice.
3. **Annex I** – a safety component of a regulated product (as amended by Reg. (EU) 2026/1744);
   for section B (``sectoral``) only Art. 6(1), 60a and 102–112 apply (Art. 2(2)): no Art. 50,
   no Art. 4.
4. **Annex III** point by point, then **Art. 6(3)**: the four filters read from the output
   field, never where the purpose is profiling of natural persons. A deployer that uses a
   general-purpose product (``general_purpose``: ChatGPT, Copilot) for a high-risk purpose is
   asked whether Art. 25(1)(c) makes it the provider.
5. **Art. 50** paragraph by paragraph and the duties of **general-purpose model** providers, each
   for the role that bears it; another role's duty is named in the path, not listed as a duty.
   Art. 50 applies whatever an open question decides, so an open row lists them too.
6. **Art. 4** (AI literacy) for every provider and deployer.

Each row gets its class, the legal path as sentences, the duties of the company's role with their
article and date, and – where the answers cannot decide – "prüfen" with the question to ask.
Conditions are three-valued: a field answered "weiß nicht" or left empty is open, never false.
The verdict depends only on a handful of field values, so it is memoised per combination.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .model import UseCaseClassification
from .tristate import Tri, compile_tri

STEPS = ("art5", "annex_i", "annex_iii", "art50", "gpai")
HOLDERS = ("provider", "deployer", "distributor")
_MEMO_LIMIT = 4096

APPLIES, NOT, EXCEPTED, OPEN = "applies", "not", "excepted", "open"
# the row fields besides purpose and role that a verdict may read (the memo key)
_MEMO_FIELDS = ("affected", "output", "safety", "service")


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- the compiled procedure --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DutyRef:
    text: dict
    article: str
    applies_from: str | None


@dataclass(slots=True)
class Element:
    key: str
    step: str
    article: str
    applies_from: str | None
    when: Tri | None
    unless: Tri | None
    needs_check: bool
    exception: str | None
    roles: tuple[str, ...]
    path: dict
    path_not: dict | None
    path_excepted: dict | None
    path_other_role: dict | None
    path_open: dict | None
    check: dict | None
    label: dict | None
    annex_iii: str | None
    filter: str
    duties: dict[str, tuple[DutyRef, ...]]
    facts: tuple[str, ...]
    sectoral: bool = False

    def outcome(self, row: dict) -> str:
        when = True if self.when is None else self.when(row)
        if when is False:
            return NOT
        unless = False if self.unless is None else self.unless(row)
        if when is True and unless is True:
            return EXCEPTED
        if when is True and unless is False:
            return OPEN if self.needs_check else APPLIES
        return OPEN

    def duties_for(self, holders: tuple[str, ...]) -> list[DutyRef]:
        out: list[DutyRef] = []
        for holder in (*holders, "any"):
            out.extend(self.duties.get(holder, ()))
        return out


@dataclass(frozen=True, slots=True)
class RoleOption:
    role: str
    uses_it: bool
    art25: str | None
    path: dict


@dataclass(frozen=True, slots=True)
class GeneralPurpose:
    services: frozenset[str]
    element: str
    path: dict
    check: dict


@dataclass(slots=True)
class ProcedureIndex:
    fields: dict[str, str]
    company_question: str | None
    company_options: dict[str, str]
    roles: dict[str, RoleOption]
    role_titles: dict[str, dict]
    literacy: DutyRef
    filters: dict[str, str]
    people: frozenset[str]
    art6_3: dict
    art6_3_duty: DutyRef
    texts: dict
    purposes: dict[str, tuple[tuple[Element, ...], dict | None, bool]]
    general_purpose: GeneralPurpose | None = None
    memo: dict = field(default_factory=dict)

    element_facts: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def facts_of(self, use_case: UseCaseClassification) -> list[str]:
        facts = self.element_facts
        return [fact for key in use_case.elements for fact in facts.get(key, ())]


def build_procedure(spec: dict) -> ProcedureIndex:
    duties_spec = spec.get("duties") or {}

    def duty(key: str, article: str | None = None, since: str | None = None) -> DutyRef:
        d = duties_spec[key]
        return DutyRef(
            text=d["text"],
            article=d.get("article") or article or "",
            applies_from=_iso(d.get("applies_from")) or since,
        )

    elements: dict[str, Element] = {}
    for key, e in (spec.get("elements") or {}).items():
        since = _iso(e.get("applies_from"))
        elements[key] = Element(
            key=key,
            step=e["step"],
            article=e["article"],
            applies_from=since,
            when=compile_tri(e.get("when")),
            unless=compile_tri(e.get("unless")),
            needs_check=bool(e.get("needs_check")),
            exception=e.get("exception"),
            roles=tuple(e.get("roles") or ()),
            path=e["path"],
            path_not=e.get("path_not"),
            path_excepted=e.get("path_excepted"),
            path_other_role=e.get("path_other_role"),
            path_open=e.get("path_open"),
            check=e.get("check"),
            label=e.get("label"),
            annex_iii=e.get("annex_iii"),
            filter=e.get("filter") or "answer",
            duties={
                holder: tuple(duty(k, e["article"], since) for k in keys)
                for holder, keys in (e.get("duties") or {}).items()
            },
            facts=tuple(e.get("facts") or ()),
            sectoral=bool(e.get("sectoral")),
        )
    purposes = {}
    for key, p in (spec.get("purposes") or {}).items():
        listed = [elements[k] for k in p.get("elements") or ()]
        listed.sort(key=lambda e: STEPS.index(e.step))  # the law's order, whatever the data's
        purposes[key] = (tuple(listed), p.get("note"), bool(p.get("profiling")))
    company = spec.get("company_role") or {}
    art6_3 = spec["art6_3"]
    gp = spec.get("general_purpose")
    index = ProcedureIndex(
        fields=dict(spec["fields"]),
        company_question=company.get("question"),
        company_options=dict(company.get("options") or {}),
        roles={
            key: RoleOption(r["role"], bool(r.get("uses_it")), r.get("art25"), r["path"])
            for key, r in spec["roles"].items()
        },
        role_titles=dict(spec["role_titles"]),
        literacy=duty(spec["literacy"]),
        filters=dict(art6_3["filters"]),
        people=frozenset(art6_3["people"]),
        art6_3=art6_3,
        art6_3_duty=duty(art6_3["provider_duty"], "Art. 6 Abs. 4"),
        texts=dict(spec["texts"]),
        purposes=purposes,
        general_purpose=GeneralPurpose(
            frozenset(gp["services"]), gp["element"], gp["path"], gp["check"]
        )
        if gp
        else None,
    )
    index.element_facts = {key: e.facts for key, e in elements.items() if e.facts}
    return index


# --- classification ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Verdict:
    """Everything of a row's classification except its position and name."""

    ai_act_class: str
    article: str | None
    applies_from: str | None
    annex_iii: str | None
    duties: tuple[dict, ...]
    duty_articles: tuple[str, ...]
    duty_dates: tuple[str, ...]
    class_title: dict | None
    points: int | float
    role: str | None
    role_title: dict | None
    path: tuple[dict, ...]
    check: dict | None
    at_stake: str | None
    elements: tuple[str, ...]


def classify_row(
    proc: ProcedureIndex,
    classes: dict,
    row_index: int,
    row: Any,
    company: dict,
    *,
    name_field: str | None,
    area_labels: dict[str, dict],
) -> UseCaseClassification:
    if not isinstance(row, dict):
        row = {}
    fields = proc.fields
    purpose = row.get(fields["purpose"])
    role_key = row.get(fields["role"])
    if role_key not in proc.roles and proc.company_question is not None:
        role_key = proc.company_options.get(company.get(proc.company_question), role_key)
    values = {name: row.get(key) for name, key in fields.items()}
    memo_key = (purpose, role_key, *(values.get(n) for n in _MEMO_FIELDS))
    verdict = proc.memo.get(memo_key)
    if verdict is None:
        verdict = _verdict(proc, classes, purpose, role_key, row)
        if len(proc.memo) < _MEMO_LIMIT:
            proc.memo[memo_key] = verdict
    name = row.get(name_field) if name_field else None
    if not isinstance(name, str) or not name.strip() or name in {"unknown", "na"}:
        name = f"#{row_index + 1}"
    return UseCaseClassification(
        index=row_index,
        name=name.strip(),
        area=purpose if isinstance(purpose, str) else None,
        ai_act_class=verdict.ai_act_class,
        annex_iii=verdict.annex_iii,
        article=verdict.article,
        applies_from=verdict.applies_from,
        duties=verdict.duties,
        reasons=(),
        area_label=area_labels.get(purpose) if isinstance(purpose, str) else None,
        class_title=verdict.class_title,
        points=verdict.points,
        role=verdict.role,
        role_title=verdict.role_title,
        path=verdict.path,
        duty_articles=verdict.duty_articles,
        duty_dates=verdict.duty_dates,
        check=verdict.check,
        at_stake=verdict.at_stake,
        elements=verdict.elements,
    )


def _verdict(proc: ProcedureIndex, classes: dict, purpose: Any, role_key: Any, row: dict):
    texts = proc.texts
    path: list[dict] = []
    elements: list[str] = []
    check: dict | None = None
    at_stake: str | None = None

    def open_question(element_check: dict | None, worst: str) -> None:
        nonlocal check, at_stake
        if check is None or (worst == "prohibited" and at_stake != "prohibited"):
            check, at_stake = element_check, worst

    # 1. role
    option = proc.roles.get(role_key) if isinstance(role_key, str) else None
    if option is None:
        role, uses_it, art25 = None, False, None
        path.append(texts["role_unknown"])
    else:
        role, uses_it, art25 = option.role, option.uses_it, option.art25
        path.append(option.path)

    known = isinstance(purpose, str) and purpose in proc.purposes
    listed, note, profiling = proc.purposes[purpose] if known else ((), None, False)
    if known:
        if note:
            path.append(note)
    else:
        open_question(texts["purpose_check"], "high_risk")
        path.append(texts["open"])

    # 2. Art. 5
    for element in listed:
        if element.step != "art5":
            continue
        outcome = element.outcome(row)
        if element.roles and outcome != NOT:
            if role is None:  # whether it is prohibited depends on the role
                outcome = OPEN
            elif role not in element.roles:
                if element.path_other_role:
                    path.append(element.path_other_role)
                continue
        if outcome == APPLIES:
            path.append(element.path)
            elements.append(element.key)
            holders = HOLDERS if role is None else (role,)
            duties = element.duties_for(holders)
            return _finish(
                proc,
                classes,
                "prohibited",
                role,
                path,
                elements,
                duties,
                None,
                None,
                article=element.article,
                applies_from=element.applies_from,
                title=element.label,
            )
        _note(path, element, outcome)
        if outcome == EXCEPTED and element.exception:
            elements.append(element.exception)
        if outcome == OPEN:
            open_question(element.check, "prohibited")

    # 3. Annex I, 4. Annex III with Art. 6(3)
    high = None
    filtered = False
    for element in listed:
        if element.step not in {"annex_i", "annex_iii"} or high is not None:
            continue
        outcome = element.outcome(row)
        if outcome != APPLIES:
            _note(path, element, outcome)
            if outcome == OPEN:
                open_question(element.check, "high_risk")
            continue
        path.append(element.path)
        elements.append(element.key)
        if element.step == "annex_i":
            high = element
            continue
        verdict = _art6_3(proc, element, row, profiling)
        path.append(verdict[1])
        if verdict[0] == "high":
            high = element
        elif verdict[0] == "filtered":
            filtered = True
            elements.append(verdict[2])
        else:
            open_question(proc.art6_3["check"], "high_risk")
        break

    # Art. 25(1)(c): a general-purpose product used for a high-risk purpose its provider did not
    # intend may make the deployer its provider – the answers cannot decide, so ask
    gp = proc.general_purpose
    if (
        gp is not None
        and high is not None
        and high.step == "annex_iii"
        and role == "deployer"
        and art25 is None
        and row.get(proc.fields.get("service", "")) in gp.services
    ):
        path.append(gp.path)
        elements.append(gp.element)
        if check is None:
            check = gp.check

    # Art. 25(1): who changes a high-risk system or puts a name on it becomes its provider
    if high is not None and art25 is not None:
        role = "provider"
        uses_it = art25 == "bc"
        elements.append("art25_1_a" if art25 == "a" else "art25_1_bc")
        path.append(texts["art25_a"] if art25 == "a" else texts["art25_bc"])

    holders: tuple[str, ...]
    if role is None:
        holders = ()
    elif role == "provider" and uses_it:
        holders = ("provider", "deployer")
    else:
        holders = (role,)

    # 5. Art. 50 and general-purpose models (none for Annex I section B: Art. 2(2))
    sectoral = high is not None and high.sectoral
    transparency: list = []
    for element in listed:
        if element.step not in {"art50", "gpai"} or sectoral:
            continue
        outcome = element.outcome(row)
        if outcome != APPLIES:
            _note(path, element, outcome)
            continue
        if set(element.roles) & set(holders):
            path.append(element.path)
            elements.append(element.key)
            if element.duties_for(holders):
                transparency.append(element)
        elif element.path_other_role:
            path.append(element.path_other_role)

    if at_stake == "prohibited" or (high is None and at_stake is not None):
        cls = "unclear"
    elif high is not None:
        cls = "high_risk"
    elif transparency:
        cls = "transparency"
    else:
        cls = "minimal"
        path.append(texts["minimal"])

    duties: list[DutyRef] = []
    article = applies_from = title = None
    if cls == "high_risk":
        duties += high.duties_for(holders)
        article, applies_from, title = high.article, high.applies_from, high.label
    if filtered and role == "provider":
        duties.append(proc.art6_3_duty)
    for element in transparency:  # they apply whatever an open question decides
        duties += element.duties_for(holders)
    if cls == "transparency":
        article = "; ".join(dict.fromkeys(e.article for e in transparency))
        applies_from = min(e.applies_from or "9999" for e in transparency)
        title = next((e.label for e in transparency if e.label), None)
    if (role in {"provider", "deployer"} or role is None) and not sectoral:
        duties.append(proc.literacy)
    if cls == "minimal":
        article, applies_from = proc.literacy.article, proc.literacy.applies_from
    if role is None and check is None:
        check = texts["role_check"]
    annex = high.annex_iii if cls == "high_risk" and high is not None else None
    return _finish(
        proc,
        classes,
        cls,
        role,
        path,
        elements,
        duties,
        check,
        at_stake if cls == "unclear" else None,
        article=article,
        applies_from=applies_from,
        title=title,
        annex_iii=annex,
    )


def _note(path: list, element: Element, outcome: str) -> None:
    text = {NOT: element.path_not, EXCEPTED: element.path_excepted, OPEN: element.path_open}.get(
        outcome
    )
    if text:
        path.append(text)


def _art6_3(proc: ProcedureIndex, element: Element, row: dict, profiling: bool) -> tuple:
    """("high", sentence) | ("filtered", sentence, element key) | ("open", sentence)."""
    art6_3 = proc.art6_3
    if element.filter == "profiling" or profiling:
        return ("high", art6_3["path_profiling"])
    if element.filter == "none":
        return ("high", art6_3["path_none"])
    output = row.get(proc.fields.get("output", ""))
    letter = proc.filters.get(output) if isinstance(output, str) else None
    if letter is not None:
        return ("filtered", art6_3["path_filter"][letter], f"art6_3_{letter}")
    if output in proc.people:
        return ("high", art6_3["path_people"])
    if output in (None, "", "unknown"):
        return ("open", proc.texts["open"])
    return ("high", art6_3["path_no_filter"])


def _finish(
    proc,
    classes,
    cls,
    role,
    path,
    elements,
    duties,
    check,
    at_stake,
    *,
    article,
    applies_from,
    title,
    annex_iii=None,
) -> _Verdict:
    unique: dict[tuple, DutyRef] = {}
    for duty in duties:
        unique.setdefault((duty.text.get("de"), duty.article), duty)
    kept = list(unique.values())
    spec = classes[cls]
    return _Verdict(
        ai_act_class=cls,
        article=article or None,
        applies_from=applies_from,
        annex_iii=annex_iii,
        duties=tuple(d.text for d in kept),
        duty_articles=tuple(d.article for d in kept),
        duty_dates=tuple(d.applies_from or "" for d in kept),
        class_title=title or spec.title,
        points=spec.points,
        role=role,
        role_title=proc.role_titles.get(role) if role else None,
        path=tuple(_unique(path)),
        check=check,
        at_stake=at_stake,
        elements=tuple(dict.fromkeys(elements)),
    )


def _unique(texts: list[dict]) -> list[dict]:
    out: list[dict] = []
    for text in texts:
        if text and text not in out:
            out.append(text)
    return out
