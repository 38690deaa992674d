"""The AI Act case table: one use case per line, classified as the law's own procedure does.

Written from primary sources before the procedure was implemented (issue 19). Every case names its
source: an article of Regulation (EU) 2024/1689 as amended by Regulation (EU) 2026/1744 ("KI-VO"),
an Annex I / Annex III point, an Art. 6(3) letter, an Art. 50 paragraph, or a paragraph and example
of the Commission's guidelines:

* "Leitlinien verbotene Praktiken Rn. N": Guidelines on prohibited AI practices, C(2025) 5052 final
  of 29 July 2025 (content approved as C(2025) 884 final on 4 February 2025);
* "Entwurf Leitlinien Hochrisiko Rn. N": draft Commission guidelines on the classification of
  high-risk AI systems under Art. 6(5) (consultation version 2026, not adopted);
* "GPAI-Leitlinien": guidelines on the scope of the obligations for providers of general-purpose AI
  models (July 2025), as quoted in secondary sources;
* "Art.-50-Leitlinien": guidelines on Art. 50, C(2026) 5054 final, as quoted in secondary sources.

Each case asserts the class, the company's role, duties by article with the date from which they
apply, the legal elements the row went through and, where the answers cannot decide, that the row
says "prüfen" and names the open question. Expected values come from the sources, never from the
engine. The company answers around the row are the minimum (AI in use, a company-level role).
"""

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assessments.catalogue import load_document, to_plain
from assessments.scoring import score

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "assessments" / "catalogue" / "ki-readiness-2027.01.yaml"
)

ART5 = "2025-02-02"
ART5_NEW = "2026-12-02"  # Art. 5(1)(ba), (bb): Art. 113 Buchst. a i. d. F. VO (EU) 2026/1744
ART50 = "2026-08-02"
ANNEX_III = "2027-12-02"  # Art. 113 Buchst. c Ziff. i i. d. F. VO (EU) 2026/1744
ANNEX_I = "2028-08-02"  # Art. 113 Buchst. c Ziff. ii
GPAI = "2025-08-02"  # Art. 113 Buchst. b
MACHINERY = "2027-01-20"  # Art. 54 Abs. 2 VO (EU) 2023/1230


@dataclass
class Case:
    key: str
    source: str
    row: dict
    cls: str
    role: str | None = "deployer"
    duties: dict = field(default_factory=dict)  # article prefix -> date the duty applies from
    no_duties: tuple = ()  # article prefixes that must not appear
    elements: tuple = ()  # legal elements the row fulfils
    no_elements: tuple = ()
    check: str | None = None  # a word the open question ("prüfen") must contain
    at_stake: str | None = None  # the worst class the open question can lead to
    company_role: str = "off_the_shelf"
    path: tuple = ()  # phrases the legal path (German) must contain


def row(area, *, role="use_product", affected="staff", output="no_people", safety="no", **more):
    values = {
        "name": area,
        "area": area,
        "role": role,
        "affected": affected,
        "output_use": output,
        "safety_purpose": safety,
        "personal_data": "none",
    }
    values.update(more)
    return {k: v for k, v in values.items() if v is not None}


CASES = [
    # --- Art. 5: prohibited practices, their exceptions and dates ------------------------------
    Case(
        "emotion_recognition_in_job_interviews",
        "Art. 5 Abs. 1 Buchst. f KI-VO; Leitlinien verbotene Praktiken Rn. 254 "
        "(Bewerbungsverfahren)",
        row("emotion_recognition", affected="applicants_employees"),
        "prohibited",
        duties={"Art. 5 Abs. 1 Buchst. f": ART5},
        elements=("art5_1_f",),
        no_elements=("annex_iii_1_c",),
    ),
    Case(
        "call_centre_tracks_its_employees_emotions",
        "Art. 5 Abs. 1 Buchst. f KI-VO; Leitlinien verbotene Praktiken Rn. 254 "
        "(Callcenter, Beschäftigte)",
        row("emotion_recognition", affected="staff"),
        "prohibited",
        duties={"Art. 5 Abs. 1 Buchst. f": ART5},
        elements=("art5_1_f",),
    ),
    Case(
        "call_centre_tracks_its_customers_emotions",
        "Leitlinien verbotene Praktiken Rn. 254 und 266 (Kunden: nicht verboten); Anhang III Nr. 1 "
        "Buchst. c; Art. 50 Abs. 3 KI-VO",
        row("emotion_recognition", affected="customers"),
        "high_risk",
        duties={"Art. 26": ANNEX_III, "Art. 50 Abs. 3": ART50, "Art. 4": ART5},
        no_duties=("Art. 5",),
        elements=("annex_iii_1_c", "art50_3"),
        no_elements=("art5_1_f",),
    ),
    Case(
        "online_course_measures_learners_attention",
        "Art. 5 Abs. 1 Buchst. f KI-VO; Leitlinien verbotene Praktiken Rn. 255 (Interesse und "
        "Aufmerksamkeit von Lernenden)",
        row("emotion_recognition", affected="learners"),
        "prohibited",
        duties={"Art. 5 Abs. 1 Buchst. f": ART5},
        elements=("art5_1_f",),
    ),
    Case(
        "stress_detection_for_safety_in_a_control_room",
        "Art. 5 Abs. 1 Buchst. f KI-VO (Ausnahme aus Sicherheitsgründen); Leitlinien verbotene "
        "Praktiken Rn. 258 und 263; Anhang III Nr. 1 Buchst. c; Art. 50 Abs. 3",
        row("emotion_recognition", affected="staff", safety="safety"),
        "high_risk",
        duties={"Art. 26": ANNEX_III, "Art. 50 Abs. 3": ART50},
        no_duties=("Art. 5",),
        elements=("art5_1_f_exception", "annex_iii_1_c", "art50_3"),
        no_elements=("art5_1_f",),
    ),
    Case(
        "emotion_recognition_at_work_with_the_reason_unknown",
        "Art. 5 Abs. 1 Buchst. f KI-VO; Leitlinien verbotene Praktiken Rn. 256–259 (Ausnahme eng)",
        row("emotion_recognition", affected="staff", safety="unknown"),
        "unclear",
        check="Sicherheit",
        at_stake="prohibited",
        no_elements=("art5_1_f",),
    ),
    Case(
        "emotion_recognition_without_knowing_whose_emotions",
        "Art. 5 Abs. 1 Buchst. f KI-VO (Arbeitsplatz, Bildungseinrichtung); Leitlinien verbotene "
        "Praktiken Rn. 253–255",
        row("emotion_recognition", affected="unknown"),
        "unclear",
        check="Bewerber",
        at_stake="prohibited",
    ),
    Case(
        "fatigue_warning_for_truck_drivers",
        "ErwG 18 KI-VO; Leitlinien verbotene Praktiken Rn. 249 und 261 "
        "(Müdigkeit ist keine Emotion)",
        row("fatigue_detection", affected="staff", safety="safety"),
        "minimal",
        duties={"Art. 4": ART5},
        no_duties=("Art. 5", "Art. 26", "Art. 50"),
        no_elements=("art5_1_f", "annex_iii_1_c", "art50_3"),
    ),
    Case(
        "sentiment_of_written_customer_reviews",
        "Art. 3 Nr. 39 KI-VO; Leitlinien verbotene Praktiken Rn. 251 (Text ist keine biometrische "
        "Grundlage)",
        row("text_sentiment", affected="customers"),
        "minimal",
        no_duties=("Art. 50",),
        no_elements=("annex_iii_1_c", "art50_3"),
    ),
    Case(
        "nudification_app_used_by_the_company",
        "Art. 5 Abs. 1 Buchst. ba und Abs. 1a Buchst. b KI-VO i. d. F. VO (EU) 2026/1744; "
        "Art. 113 Buchst. a (ab 2.12.2026)",
        row("intimate_images", affected="public"),
        "prohibited",
        duties={"Art. 5 Abs. 1 Buchst. ba": ART5_NEW},
        elements=("art5_1_ba",),
        no_elements=("art50_4",),
    ),
    Case(
        "inferring_religion_or_orientation_from_faces",
        "Art. 5 Abs. 1 Buchst. g KI-VO; Leitlinien verbotene Praktiken Rn. 280 und 283",
        row("biometric_sensitive", affected="customers"),
        "prohibited",
        duties={"Art. 5 Abs. 1 Buchst. g": ART5},
        elements=("art5_1_g",),
    ),
    Case(
        "scraping_faces_into_a_recognition_database",
        "Art. 5 Abs. 1 Buchst. e KI-VO; Leitlinien verbotene Praktiken Rn. 234",
        row("face_scraping", affected="public"),
        "prohibited",
        duties={"Art. 5 Abs. 1 Buchst. e": ART5},
        elements=("art5_1_e",),
    ),
    Case(
        "social_score_used_against_people_elsewhere",
        "Art. 5 Abs. 1 Buchst. c KI-VO; Leitlinien verbotene Praktiken Rn. 163–170",
        row("social_scoring", affected="customers", output="decides_people"),
        "prohibited",
        duties={"Art. 5 Abs. 1 Buchst. c": ART5},
        elements=("art5_1_c",),
    ),
    Case(
        "pressure_selling_whose_harm_is_open",
        "Art. 5 Abs. 1 Buchst. a und b KI-VO (erheblicher Schaden); Leitlinien verbotene Praktiken "
        "Rn. 85–96 und 127–133",
        row("manipulation", affected="customers"),
        "unclear",
        check="Schaden",
        at_stake="prohibited",
        no_elements=("art5_1_a",),
    ),
    Case(
        "ordinary_performance_review_is_not_social_scoring",
        "Leitlinien verbotene Praktiken Rn. 175 (Beschäftigtenbeurteilung); "
        "Anhang III Nr. 4 Buchst. b",
        row("employee_evaluation", affected="applicants_employees", output="assesses_people"),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        no_duties=("Art. 5",),
        elements=("annex_iii_4_b",),
        no_elements=("art5_1_c",),
    ),
    # --- Annex III, point by point ---------------------------------------------------------------
    Case(
        "face_gate_confirming_a_members_identity",
        "Anhang III Nr. 1 Buchst. a UAbs. 2 KI-VO (1:1-Verifizierung ausgenommen); Art. 3 Nr. 36",
        row("biometric_verification", affected="customers"),
        "minimal",
        duties={"Art. 4": ART5},
        no_duties=("Art. 26", "Art. 50"),
        no_elements=("annex_iii_1_a",),
    ),
    Case(
        "shop_camera_matches_faces_against_a_list",
        "Anhang III Nr. 1 Buchst. a KI-VO; Art. 5 Abs. 1 Buchst. h verbietet nur die Verwendung "
        "zur Strafverfolgung (nicht das Anbieten, nicht private Betreiber)",
        row("biometric_identification", affected="customers"),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        no_duties=("Art. 5",),
        elements=("annex_iii_1_a",),
    ),
    Case(
        "advertising_screen_sorts_viewers_by_age_and_gender",
        "Entwurf Leitlinien Hochrisiko Rn. 169–170 (Alter und Geschlecht nicht sensibel); "
        "Leitlinien verbotene Praktiken Rn. 276; Art. 50 Abs. 3 KI-VO",
        row("biometric_categorisation", affected="customers"),
        "transparency",
        duties={"Art. 50 Abs. 3": ART50},
        no_duties=("Art. 26",),
        elements=("art50_3",),
        no_elements=("annex_iii_1_b",),
    ),
    Case(
        "inferring_illness_from_gait",
        "Anhang III Nr. 1 Buchst. b KI-VO; Entwurf Leitlinien Hochrisiko Rn. 169–170",
        row("biometric_health", affected="customers"),
        "high_risk",
        duties={"Art. 26": ANNEX_III, "Art. 50 Abs. 3": ART50},
        elements=("annex_iii_1_b", "art50_3"),
    ),
    Case(
        "grid_control_as_a_safety_component",
        "Anhang III Nr. 2 KI-VO; Art. 3 Nr. 14 i. d. F. VO (EU) 2026/1744; Art. 27 Abs. 1 "
        "(keine Grundrechte-Folgenabschätzung für Nr. 2)",
        row("critical_infrastructure", affected="public", safety="safety"),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        no_duties=("Art. 27",),
        elements=("annex_iii_2",),
    ),
    Case(
        "consumption_forecast_for_a_utility",
        "Anhang III Nr. 2 KI-VO (nur Sicherheitsbauteile); Art. 3 Nr. 14",
        row("critical_infrastructure", affected="public", safety="no"),
        "minimal",
        no_duties=("Art. 26",),
        no_elements=("annex_iii_2",),
    ),
    Case(
        "grid_system_with_the_safety_role_unknown",
        "Anhang III Nr. 2 KI-VO; Art. 3 Nr. 14",
        row("critical_infrastructure", affected="public", safety="unknown"),
        "unclear",
        check="Sicherheit",
        at_stake="high_risk",
    ),
    Case(
        "exam_grading_confirmed_by_an_examiner",
        "Anhang III Nr. 3 Buchst. b KI-VO (Lernergebnisse bewerten); Art. 27 Abs. 1 und ErwG 96 "
        "(Grundrechte-Folgenabschätzung für private Stellen, die öffentliche Dienste wie Bildung "
        "erbringen)",
        row("education", affected="learners", output="assesses_people"),
        "high_risk",
        duties={"Art. 26": ANNEX_III, "Art. 27": ANNEX_III},
        elements=("annex_iii_3_b",),
    ),
    Case(
        "admission_to_a_course",
        "Anhang III Nr. 3 Buchst. a KI-VO",
        row("education_admission", affected="learners", output="assesses_people"),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        elements=("annex_iii_3_a",),
    ),
    Case(
        "online_exam_proctoring",
        "Anhang III Nr. 3 Buchst. d KI-VO",
        row("exam_proctoring", affected="learners", output="assesses_people"),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        elements=("annex_iii_3_d",),
    ),
    Case(
        "targeted_job_adverts",
        "Anhang III Nr. 4 Buchst. a KI-VO (gezielte Stellenanzeigen); Entwurf Leitlinien "
        "Hochrisiko Rn. 250",
        row("hr_job_ads", affected="applicants_employees", output="preparatory"),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        elements=("annex_iii_4_a",),
        no_elements=("art6_3_d",),
    ),
    Case(
        "job_advert_wording_is_marketing_text",
        "Entwurf Leitlinien Hochrisiko Rn. 247 und 251 (Stellentexte, Arbeitgebermarke); Art. 50 "
        "Abs. 4 UAbs. 2 KI-VO (kein öffentliches Interesse)",
        row("marketing_text", affected="public"),
        "minimal",
        no_duties=("Art. 26", "Art. 50"),
        no_elements=("annex_iii_4_a", "art50_4"),
    ),
    Case(
        "cv_ranking_by_a_bought_tool",
        "Anhang III Nr. 4 Buchst. a KI-VO; Art. 6 Abs. 3 UAbs. 3 (Profiling); Entwurf Leitlinien "
        "Hochrisiko Rn. 253",
        row("hr_screening", affected="applicants_employees", output="assesses_people"),
        "high_risk",
        duties={"Art. 26": ANNEX_III, "Art. 4": ART5},
        no_duties=("Art. 16",),
        elements=("annex_iii_4_a",),
    ),
    Case(
        "completeness_check_of_applications",
        "Art. 6 Abs. 3 UAbs. 2 Buchst. a KI-VO; Entwurf Leitlinien Hochrisiko Rn. 93 "
        "(unvollständige Formulare markieren) und Rn. 88 (die Einschätzung trifft und dokumentiert "
        "der Anbieter, Art. 6 Abs. 4)",
        row("hr_screening", affected="applicants_employees", output="procedural"),
        "minimal",
        no_duties=("Art. 26",),
        elements=("annex_iii_4_a", "art6_3_a"),
        path=("Art. 6 Abs. 4",),
    ),
    Case(
        "completeness_check_sold_by_its_provider",
        "Art. 6 Abs. 3 Buchst. a und Abs. 4 KI-VO; Art. 49 Abs. 2 (Registrierung)",
        row("hr_screening", role="sell_own", affected="applicants_employees", output="procedural"),
        "minimal",
        role="provider",
        duties={"Art. 6 Abs. 4": ANNEX_III},
        no_duties=("Art. 16", "Art. 26"),
        elements=("art6_3_a",),
    ),
    Case(
        "polishing_a_finished_reference_letter",
        "Art. 6 Abs. 3 UAbs. 2 Buchst. b KI-VO; ErwG 53; Entwurf Leitlinien Hochrisiko Rn. 94–96",
        row("employee_evaluation", affected="applicants_employees", output="improves"),
        "minimal",
        no_duties=("Art. 26",),
        elements=("art6_3_b",),
    ),
    Case(
        "flagging_deviations_in_a_teachers_grading",
        "Art. 6 Abs. 3 UAbs. 2 Buchst. c KI-VO; ErwG 53; Entwurf Leitlinien Hochrisiko Rn. 97–102",
        row("education", affected="learners", output="patterns"),
        "minimal",
        no_duties=("Art. 26",),
        elements=("art6_3_c",),
    ),
    Case(
        "translating_applications_before_a_person_assesses_them",
        "Art. 6 Abs. 3 UAbs. 2 Buchst. d KI-VO; Entwurf Leitlinien Hochrisiko Rn. 103–108 und 253",
        row("hr_screening", affected="applicants_employees", output="preparatory"),
        "minimal",
        no_duties=("Art. 26",),
        elements=("art6_3_d",),
    ),
    Case(
        "credit_scoring_is_profiling_whatever_the_answer_says",
        "Art. 6 Abs. 3 UAbs. 3 KI-VO (Profiling: immer Hochrisiko); Entwurf Leitlinien Hochrisiko "
        "Rn. 89 und 109–112",
        row("credit", affected="customers", output="procedural"),
        "high_risk",
        duties={"Art. 26": ANNEX_III, "Art. 27": ANNEX_III},
        elements=("annex_iii_5_b",),
        no_elements=("art6_3_a",),
    ),
    Case(
        "cv_tool_whose_role_in_the_decision_is_unknown",
        "Art. 6 Abs. 3 KI-VO (Ausnahme nur bei den vier Fallgruppen)",
        row("hr_screening", affected="applicants_employees", output="unknown"),
        "unclear",
        check="bewertet",
        at_stake="high_risk",
    ),
    Case(
        "shift_plan_from_availability_and_wishes",
        "Anhang III Nr. 4 Buchst. b KI-VO (nur Zuteilung nach Verhalten oder "
        "persönlichen Merkmalen)",
        row("shift_planning", affected="applicants_employees", output="assesses_people"),
        "minimal",
        no_duties=("Art. 26",),
        no_elements=("annex_iii_4_b",),
    ),
    Case(
        "tasks_allocated_by_behaviour",
        "Anhang III Nr. 4 Buchst. b KI-VO",
        row("task_allocation", affected="applicants_employees", output="assesses_people"),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        elements=("annex_iii_4_b",),
    ),
    Case(
        "creditworthiness_of_private_customers",
        "Anhang III Nr. 5 Buchst. b KI-VO; Art. 27 Abs. 1 (Grundrechte-Folgenabschätzung)",
        row("credit", affected="customers", output="assesses_people"),
        "high_risk",
        duties={"Art. 26": ANNEX_III, "Art. 27": ANNEX_III},
        elements=("annex_iii_5_b",),
    ),
    Case(
        "fraud_detection_on_payments",
        "Anhang III Nr. 5 Buchst. b KI-VO (Betrugserkennung ausgenommen); Entwurf Leitlinien "
        "Hochrisiko Rn. 306–308; Art. 5 Abs. 1 Buchst. d (keine Straftatprognose: Leitlinien "
        "verbotene Praktiken Rn. 210–211)",
        row("fraud_detection", affected="customers", output="assesses_people"),
        "minimal",
        no_duties=("Art. 26", "Art. 27"),
        no_elements=("annex_iii_5_b", "art5_1_d"),
        path=("Rn. 210",),
    ),
    Case(
        "credit_check_of_limited_companies",
        "Anhang III Nr. 5 Buchst. b KI-VO (nur natürliche Personen); Entwurf Leitlinien Hochrisiko "
        "Rn. 298",
        row("credit_business", affected="customers", output="assesses_people"),
        "minimal",
        no_duties=("Art. 26", "Art. 27"),
        no_elements=("annex_iii_5_b",),
    ),
    Case(
        "life_insurance_pricing",
        "Anhang III Nr. 5 Buchst. c KI-VO; Art. 27 Abs. 1",
        row("insurance_pricing", affected="customers", output="assesses_people"),
        "high_risk",
        duties={"Art. 26": ANNEX_III, "Art. 27": ANNEX_III},
        elements=("annex_iii_5_c",),
    ),
    Case(
        "car_insurance_pricing",
        "Anhang III Nr. 5 Buchst. c KI-VO (nur Leben und Gesundheit); Entwurf Leitlinien "
        "Hochrisiko Rn. 314",
        row("insurance_other", affected="customers", output="assesses_people"),
        "minimal",
        no_duties=("Art. 26", "Art. 27"),
        no_elements=("annex_iii_5_c",),
    ),
    Case(
        "benefit_eligibility_checked_for_an_authority",
        "Anhang III Nr. 5 Buchst. a KI-VO; Art. 27 Abs. 1 (öffentliche Dienste)",
        row("public_benefits", affected="customers", output="assesses_people"),
        "high_risk",
        duties={"Art. 26": ANNEX_III, "Art. 27": ANNEX_III},
        elements=("annex_iii_5_a",),
    ),
    Case(
        "emergency_call_triage",
        "Anhang III Nr. 5 Buchst. d KI-VO",
        row("emergency_triage", affected="customers", output="assesses_people", safety="safety"),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        elements=("annex_iii_5_d",),
    ),
    # --- Annex I as amended by Regulation (EU) 2026/1744 ------------------------------------------
    Case(
        "safety_function_of_a_machine_the_company_builds",
        "Anhang I Abschnitt B Nr. 21 und Art. 2 Abs. 2 KI-VO i. d. F. VO (EU) 2026/1744 (nur "
        "Art. 6 Abs. 1, 60a und 102–112 gelten, auch kein Art. 4); "
        "VO (EU) 2023/1230 Anhang I Teil A Nr. 5 und 6, Art. 54",
        row("product_machine", role="sell_own", affected="staff", safety="safety"),
        "high_risk",
        role="provider",
        duties={"VO (EU) 2023/1230": MACHINERY},
        # Art. 2 Abs. 2: for Annex I section B only Art. 6(1), 60a and 102-112 apply – no Art. 4
        no_duties=("Art. 16", "Art. 26", "Art. 4", "Art. 50"),
        elements=("annex_i_b",),
        no_elements=("annex_i_a",),
    ),
    Case(
        "quality_control_in_a_machine_is_no_safety_component",
        "Art. 6 Abs. 1a KI-VO i. d. F. VO (EU) 2026/1744 (Qualitätskontrolle)",
        row("product_machine", role="sell_own", affected="staff", safety="no"),
        "minimal",
        role="provider",
        no_duties=("Art. 16", "VO (EU) 2023/1230"),
        no_elements=("annex_i_b",),
    ),
    Case(
        "ai_in_a_medical_device_with_the_conformity_route_open",
        "Art. 6 Abs. 1 Buchst. b und Abs. 1c KI-VO; Anhang I Abschnitt A Nr. 11; Art. 25 Abs. 3",
        row("product_regulated", role="sell_own", affected="customers", safety="medical"),
        "unclear",
        role="provider",
        check="benannte Stelle",
        at_stake="high_risk",
    ),
    # --- roles and Art. 25 ----------------------------------------------------------------------
    Case(
        "company_sells_its_own_cv_ranking_service",
        "Art. 3 Nr. 3 KI-VO (Anbieter); Art. 16 ff.; Anhang III Nr. 4 Buchst. a",
        row(
            "hr_screening",
            role="sell_own",
            affected="applicants_employees",
            output="assesses_people",
        ),
        "high_risk",
        role="provider",
        duties={"Art. 16": ANNEX_III, "Art. 4": ART5},
        no_duties=("Art. 26",),
        elements=("annex_iii_4_a",),
    ),
    Case(
        "own_cv_screening_app_used_in_house",
        "Art. 3 Nr. 3 und 11 KI-VO (Inbetriebnahme für den Eigengebrauch); Leitlinien verbotene "
        "Praktiken Rn. 19 (Anbieter und Betreiber zugleich)",
        row(
            "hr_screening",
            role="built_own",
            affected="applicants_employees",
            output="decides_people",
        ),
        "high_risk",
        role="provider",
        duties={"Art. 16": ANNEX_III, "Art. 26": ANNEX_III},
        elements=("annex_iii_4_a",),
    ),
    Case(
        "own_brand_on_a_bought_credit_scoring_tool",
        "Art. 25 Abs. 1 Buchst. a KI-VO",
        row("credit", role="rebrand", affected="customers", output="assesses_people"),
        "high_risk",
        role="provider",
        duties={"Art. 16": ANNEX_III},
        elements=("art25_1_a", "annex_iii_5_b"),
    ),
    Case(
        "general_chat_tool_repurposed_for_cv_screening",
        "Art. 25 Abs. 1 Buchst. c KI-VO (neue Zweckbestimmung macht Hochrisiko)",
        row(
            "hr_screening",
            role="changed",
            affected="applicants_employees",
            output="assesses_people",
        ),
        "high_risk",
        role="provider",
        duties={"Art. 16": ANNEX_III, "Art. 26": ANNEX_III},
        elements=("art25_1_bc", "annex_iii_4_a"),
    ),
    Case(
        "changing_a_marketing_tool_does_not_make_a_provider",
        "Art. 25 Abs. 1 KI-VO (Rollenwechsel nur bei Hochrisiko-Systemen)",
        row("marketing_text", role="changed", affected="public"),
        "minimal",
        role="deployer",
        no_duties=("Art. 16",),
        no_elements=("art25_1_bc",),
    ),
    Case(
        "reseller_of_a_high_risk_hr_tool",
        "Art. 3 Nr. 7 KI-VO (Händler); Art. 24; Art. 4 gilt nur für Anbieter und Betreiber",
        row(
            "hr_screening", role="resell", affected="applicants_employees", output="assesses_people"
        ),
        "high_risk",
        role="distributor",
        duties={"Art. 24": ANNEX_III},
        no_duties=("Art. 4", "Art. 16", "Art. 26"),
        elements=("annex_iii_4_a",),
    ),
    Case(
        "company_role_answers_for_a_row_without_a_role",
        "Art. 3 Nr. 3 KI-VO (Anbieter unter eigenem Namen)",
        row("hr_screening", role=None, affected="applicants_employees", output="assesses_people"),
        "high_risk",
        role="provider",
        duties={"Art. 16": ANNEX_III},
        company_role="own_brand",
    ),
    Case(
        "role_unknown_on_a_high_risk_use",
        "Art. 3 Nr. 3 und 4 KI-VO (Pflichten hängen an der Rolle)",
        row(
            "hr_screening",
            role="unknown",
            affected="applicants_employees",
            output="assesses_people",
        ),
        "high_risk",
        role=None,
        check="Anbieter",
        company_role="unknown",
    ),
    # --- general-purpose AI models ---------------------------------------------------------------
    Case(
        "fine_tuning_an_open_model_and_publishing_it",
        "Art. 3 Nr. 63 KI-VO; GPAI-Leitlinien Rn. 59–61 (Schwelle: ein Drittel der ursprünglichen "
        "Trainingsrechenleistung)",
        row("gpai_finetune", role="sell_own", affected="public"),
        "minimal",
        role="provider",
        no_duties=("Art. 53",),
        no_elements=("art53",),
    ),
    Case(
        "training_a_general_purpose_model_and_releasing_it",
        "Art. 53 KI-VO; Art. 113 Buchst. b (seit 2.8.2025)",
        row("gpai_train", role="sell_own", affected="public"),
        "transparency",
        role="provider",
        duties={"Art. 53": GPAI},
        elements=("art53",),
    ),
    # --- Art. 50 by what the system does ---------------------------------------------------------
    Case(
        "own_chatbot_on_the_openai_api",
        "Art. 50 Abs. 1 und 2 KI-VO (Anbieterpflichten); Art.-50-Leitlinien Rn. 11",
        row("customer_chatbot", role="built_own", affected="customers", personal_data="regular"),
        "transparency",
        role="provider",
        duties={"Art. 50 Abs. 1": ART50, "Art. 50 Abs. 2": ART50},
        elements=("art50_1", "art50_2"),
    ),
    Case(
        "someone_elses_chatbot_on_the_website",
        "Art. 50 Abs. 1 KI-VO (Pflicht des Anbieters, nicht des Betreibers)",
        row("customer_chatbot", role="use_product", affected="customers", personal_data="regular"),
        "minimal",
        duties={"Art. 4": ART5},
        no_duties=("Art. 50",),
        no_elements=("art50_1",),
    ),
    Case(
        "company_sells_an_image_generator",
        "Art. 5 Abs. 1 Buchst. ba und bb, Abs. 1a Buchst. a Ziff. ii KI-VO i. d. F. VO (EU) "
        "2026/1744 (Anbieter: ohne wirksame Schutzmaßnahmen verboten, ab 2.12.2026); Art. 50 "
        "Abs. 2 (maschinenlesbare Kennzeichnung, gilt so oder so); Art. 111 Abs. 4",
        row("synthetic_media", role="sell_own", affected="public"),
        "unclear",
        role="provider",
        duties={"Art. 50 Abs. 2": ART50},
        no_duties=("Art. 50 Abs. 4",),
        elements=("art50_2",),
        no_elements=("art5_1_ba",),
        check="Schutzmaßnahmen",
        at_stake="prohibited",
    ),
    Case(
        "publishing_deepfakes_made_with_a_bought_tool",
        "Art. 50 Abs. 4 UAbs. 1 KI-VO; Art. 3 Nr. 60 (Deepfake)",
        row("synthetic_media", role="use_product", affected="public"),
        "transparency",
        duties={"Art. 50 Abs. 4": ART50},
        no_duties=("Art. 50 Abs. 2",),
        elements=("art50_4",),
    ),
    Case(
        "ai_news_text_on_matters_of_public_interest",
        "Art. 50 Abs. 4 UAbs. 2 KI-VO (Ausnahme bei redaktioneller Verantwortung)",
        row("public_interest_text", role="use_product", affected="public"),
        "transparency",
        duties={"Art. 50 Abs. 4": ART50},
        elements=("art50_4",),
    ),
    Case(
        "letters_to_customers_drafted_with_ai",
        "Art. 50 Abs. 1 KI-VO (keine direkte Interaktion); Art. 50 Abs. 4 (kein Deepfake, "
        "kein Text von öffentlichem Interesse)",
        row("customer_letters", role="use_product", affected="customers", personal_data="regular"),
        "minimal",
        duties={"Art. 4": ART5},
        no_duties=("Art. 50",),
        no_elements=("art50_1", "art50_4"),
    ),
    Case(
        "internal_text_drafting",
        "Art. 4 KI-VO i. d. F. VO (EU) 2026/1744 (KI-Kompetenz, seit 2.2.2025)",
        row("office_text"),
        "minimal",
        duties={"Art. 4": ART5},
        no_duties=("Art. 26", "Art. 50"),
    ),
    Case(
        "something_the_list_does_not_name",
        "Art. 6 und Anhang III KI-VO (Einstufung offen, nicht automatisch Hochrisiko)",
        row("other"),
        "unclear",
        check="Zweck",
        at_stake="high_risk",
    ),
]


# Added in the legal review (w19r), each written from its source before the procedure ran on it.
REVIEW_CASES = [
    # --- Art. 5: every letter with an in-scope and an out-of-scope example ---------------------
    Case(
        "provider_selling_emotion_recognition_for_call_centre_staff",
        "Art. 5 Abs. 1 Buchst. f KI-VO (Inverkehrbringen für diesen Zweck); Leitlinien verbotene "
        "Praktiken Rn. 243 (Anbieter und Betreiber) und Rn. 254 (Callcenter, Beschäftigte)",
        row("emotion_recognition", role="sell_own", affected="staff"),
        "prohibited",
        role="provider",
        duties={"Art. 5 Abs. 1 Buchst. f": ART5},
        no_duties=("Art. 16", "Art. 26"),
        elements=("art5_1_f",),
    ),
    Case(
        "emotion_aid_for_autistic_employees",
        "Art. 5 Abs. 1 Buchst. f KI-VO (Ausnahme aus medizinischen Gründen); Leitlinien verbotene "
        "Praktiken Rn. 257 (CE-gekennzeichnetes Medizinprodukt) und Rn. 263 (Autismus); Anhang III "
        "Nr. 1 Buchst. c; Art. 50 Abs. 3",
        row("emotion_recognition", affected="staff", safety="medical"),
        "high_risk",
        duties={"Art. 26": ANNEX_III, "Art. 50 Abs. 3": ART50, "Art. 4": ART5},
        no_duties=("Art. 5",),
        elements=("art5_1_f_exception", "annex_iii_1_c", "art50_3"),
        no_elements=("art5_1_f",),
    ),
    Case(
        "emotion_recognition_of_shop_customers_sold_by_its_provider",
        "Leitlinien verbotene Praktiken Rn. 266 (Kunden: kein Verbot, aber Hochrisiko); Anhang III "
        "Nr. 1 Buchst. c; Art. 16 KI-VO; Art. 50 Abs. 3 (Pflicht des Betreibers, nicht des "
        "Anbieters)",
        row("emotion_recognition", role="sell_own", affected="customers"),
        "high_risk",
        role="provider",
        duties={"Art. 16": ANNEX_III, "Art. 4": ART5},
        no_duties=("Art. 26", "Art. 50"),
        elements=("annex_iii_1_c",),
        no_elements=("art50_3", "art5_1_f"),
        path=("Art. 50 Abs. 3",),
    ),
    Case(
        "emotion_recognition_with_the_role_unknown",
        "Art. 5 Abs. 1 Buchst. f KI-VO (verboten für Anbieter und Betreiber); Leitlinien verbotene "
        "Praktiken Rn. 243",
        row("emotion_recognition", role="unknown", affected="applicants_employees"),
        "prohibited",
        role=None,
        duties={"Art. 5 Abs. 1 Buchst. f": ART5},
        elements=("art5_1_f",),
        company_role="unknown",
    ),
    Case(
        "provider_of_a_nudify_app",
        "Art. 5 Abs. 1 Buchst. ba und Abs. 1a Buchst. a Ziff. i KI-VO i. d. F. VO (EU) 2026/1744 "
        "(Zweckbestimmung); Art. 113 Buchst. a (ab 2.12.2026); Art. 99 Abs. 3 und 6",
        row("intimate_images", role="sell_own", affected="public"),
        "prohibited",
        role="provider",
        duties={"Art. 5 Abs. 1 Buchst. ba": ART5_NEW},
        elements=("art5_1_ba",),
    ),
    Case(
        "marketing_images_from_a_bought_generator_are_not_banned",
        "Art. 5 Abs. 1a Buchst. b KI-VO und ErwG 12 VO (EU) 2026/1744 (Betreiber nur, wenn sie "
        "das System zu diesem Zweck nutzen); Art. 50 Abs. 4 UAbs. 1 (Deepfakes kennzeichnen)",
        row("synthetic_media", role="use_product", affected="public"),
        "transparency",
        duties={"Art. 50 Abs. 4": ART50},
        no_duties=("Art. 5",),
        elements=("art50_4",),
        no_elements=("art5_1_ba",),
        path=("Abs. 1a Buchst. b",),
    ),
    Case(
        "crime_risk_scores_sold_to_the_police",
        "Art. 5 Abs. 1 Buchst. d KI-VO; Leitlinien verbotene Praktiken Rn. 187–188 (Anbieter und "
        "Betreiber), Rn. 199–202 (allein Profiling) und Rn. 208 (private Anbieter im Auftrag der "
        "Polizei)",
        row("crime_prediction", role="sell_own", affected="public", output="assesses_people"),
        "unclear",
        role="provider",
        check="objektiven",
        at_stake="prohibited",
        no_elements=("art5_1_d",),
    ),
    Case(
        "personalised_product_recommendations_are_persuasion",
        "Art. 5 Abs. 1 Buchst. a KI-VO; Leitlinien verbotene Praktiken Rn. 128 (Empfehlungen nach "
        "offenen Vorlieben) und Rn. 133 (Werbung nicht per se manipulativ)",
        row("personalised_offers", affected="customers", personal_data="regular"),
        "minimal",
        duties={"Art. 4": ART5},
        no_duties=("Art. 5", "Art. 26", "Art. 50"),
        no_elements=("art5_1_a",),
        path=("Rn. 128",),
    ),
    Case(
        "loyalty_privileges_for_good_customers_are_no_social_scoring",
        "Art. 5 Abs. 1 Buchst. c KI-VO; Leitlinien verbotene Praktiken Rn. 177 (Vorteile für "
        "Kunden mit guter Kaufhistorie, gerechtfertigt und verhältnismäßig)",
        row("personalised_offers", affected="customers", output="assesses_people"),
        "minimal",
        no_duties=("Art. 5", "Art. 26"),
        no_elements=("art5_1_c",),
        path=("Rn. 177",),
    ),
    # --- Annex III: letters and carve-outs not yet covered ----------------------------------------
    Case(
        "placement_test_assigns_the_course_level",
        "Anhang III Nr. 3 Buchst. c KI-VO (angemessenes Bildungsniveau); Entwurf Leitlinien "
        "Hochrisiko Rn. 209–212 (auch Weiterbildung)",
        row("education_admission", affected="learners", output="assesses_people"),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        elements=("annex_iii_3_a",),
    ),
    Case(
        "voluntary_training_quiz_for_own_staff",
        "Entwurf Leitlinien Hochrisiko Rn. 214 (Anhang III Nr. 3 betrifft Lernende in "
        "Bildungseinrichtungen) und Rn. 261 mit dem Beispiel „AI system for training performance "
        "evaluation“ (freiwillige Schulung, nur Rückmeldung an die Beschäftigten)",
        row("education", affected="staff", output="assesses_people"),
        "minimal",
        no_duties=("Art. 26", "Art. 27"),
        no_elements=("annex_iii_3_b",),
        path=("Nr. 4 Buchst. b",),
    ),
    Case(
        "task_allocation_called_a_formality_is_still_profiling",
        "Anhang III Nr. 4 Buchst. b KI-VO; Art. 6 Abs. 3 UAbs. 3 (Profiling); Entwurf Leitlinien "
        "Hochrisiko Rn. 269–270 (Verhaltensdaten, Zuverlässigkeit: Profiling) und Beispiel "
        "Schichtplaner („cannot benefit from the exceptions in Article 6(3)“)",
        row("task_allocation", affected="applicants_employees", output="procedural"),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        elements=("annex_iii_4_b",),
        no_elements=("art6_3_a",),
    ),
    Case(
        "reminder_that_a_fixed_term_contract_lapses",
        "Anhang III Nr. 4 Buchst. b KI-VO; Art. 6 Abs. 3 UAbs. 2 Buchst. a; Entwurf Leitlinien "
        "Hochrisiko Rn. 266 (Hinweis auf auslaufenden befristeten Vertrag ohne Bewertung)",
        row("employee_evaluation", affected="applicants_employees", output="procedural"),
        "minimal",
        no_duties=("Art. 26",),
        elements=("annex_iii_4_b", "art6_3_a"),
    ),
    Case(
        "fatigue_data_used_to_rate_drivers",
        "Anhang III Nr. 4 Buchst. b KI-VO (Leistung und Verhalten überwachen); Entwurf Leitlinien "
        "Hochrisiko Rn. 275 Fn. 56 (körperliche Werte wie Müdigkeit zur Leistungsbewertung) und "
        "Rn. 277",
        row("fatigue_detection", affected="applicants_employees", output="assesses_people"),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        elements=("annex_iii_4_b_monitoring",),
        path=("Anhang III Nr. 4 Buchst. b",),
        no_elements=("art5_1_f", "annex_iii_1_c"),
    ),
    Case(
        "fatigue_warning_whose_purpose_is_unknown",
        "Entwurf Leitlinien Hochrisiko Rn. 275 Fn. 56 und Rn. 277 (nur ein Einsatz ausschließlich "
        "aus Sicherheitsgründen fällt nicht unter Anhang III Nr. 4 Buchst. b)",
        row("fatigue_detection", affected="staff", safety="unknown"),
        "unclear",
        check="Leistung",
        at_stake="high_risk",
    ),
    Case(
        "provider_of_a_credit_scoring_service",
        "Anhang III Nr. 5 Buchst. b KI-VO; Art. 16 (Anbieter); Art. 27 Abs. 1 verpflichtet nur "
        "Betreiber",
        row("credit", role="sell_own", affected="customers", output="assesses_people"),
        "high_risk",
        role="provider",
        duties={"Art. 16": ANNEX_III},
        no_duties=("Art. 26", "Art. 27"),
        elements=("annex_iii_5_b",),
    ),
    # --- Annex I ---------------------------------------------------------------------------------
    Case(
        "ai_in_a_toy_only_for_convenience",
        "Art. 6 Abs. 1a KI-VO i. d. F. VO (EU) 2026/1744 (Bedienung, Komfort: kein "
        "Sicherheitsbauteil); Anhang I Abschnitt A Nr. 2",
        row("product_regulated", role="sell_own", affected="customers", safety="no"),
        "minimal",
        role="provider",
        duties={"Art. 4": ART5},
        no_duties=("Art. 16",),
        no_elements=("annex_i_a",),
    ),
    # --- Art. 50: each paragraph for provider and deployer ---------------------------------------
    Case(
        "own_chatbot_sold_to_other_companies",
        "Art. 50 Abs. 1 und 2 KI-VO; Art.-50-Leitlinien Rn. 11 (unter eigenem Namen angeboten); "
        "kein Modellanbieter nach Art. 53 (GPAI-Leitlinien)",
        row("customer_chatbot", role="sell_own", affected="customers"),
        "transparency",
        role="provider",
        duties={"Art. 50 Abs. 1": ART50, "Art. 50 Abs. 2": ART50, "Art. 4": ART5},
        no_duties=("Art. 26", "Art. 53"),
        elements=("art50_1", "art50_2"),
        no_elements=("art53",),
    ),
    Case(
        "internal_drafting_tool_built_on_the_api",
        "Art. 3 Nr. 3 und 11 KI-VO (Inbetriebnahme für den Eigengebrauch unter eigenem Namen); "
        "Art. 50 Abs. 2 (maschinenlesbare Kennzeichnung)",
        row("office_text", role="built_own"),
        "transparency",
        role="provider",
        duties={"Art. 50 Abs. 2": ART50, "Art. 4": ART5},
        no_duties=("Art. 50 Abs. 1", "Art. 50 Abs. 4"),
        elements=("art50_2",),
    ),
    Case(
        "rebranded_chatbot_that_is_not_high_risk",
        "Art. 3 Nr. 3 KI-VO (Anbieter unter eigenem Namen); Art. 25 Abs. 1 Buchst. a nur für "
        "Hochrisiko-Systeme; Art. 50 Abs. 1",
        row("customer_chatbot", role="rebrand", affected="customers"),
        "transparency",
        role="provider",
        duties={"Art. 50 Abs. 1": ART50},
        no_duties=("Art. 16",),
        elements=("art50_1",),
        no_elements=("art25_1_a",),
    ),
    Case(
        "provider_of_a_deepfake_generator_does_not_label_for_its_customers",
        "Art. 50 Abs. 4 KI-VO (Pflicht des Betreibers); Art. 50 Abs. 2 (Pflicht des Anbieters)",
        row("synthetic_media", role="sell_own", affected="public"),
        "unclear",
        role="provider",
        duties={"Art. 50 Abs. 2": ART50},
        no_duties=("Art. 50 Abs. 4",),
        no_elements=("art50_4",),
        check="Schutzmaßnahmen",
        at_stake="prohibited",
        path=("Art. 50 Abs. 4",),
    ),
    # --- roles: Art. 25, distributors, importers -------------------------------------------------
    Case(
        "reseller_of_a_chatbot",
        "Art. 3 Nr. 7 KI-VO (Händler); Art. 24 nur für Hochrisiko-Systeme; Art. 50 trifft "
        "Anbieter und Betreiber; Art. 4 nur Anbieter und Betreiber",
        row("customer_chatbot", role="resell", affected="customers"),
        "minimal",
        role="distributor",
        no_duties=("Art. 4", "Art. 24", "Art. 50"),
        no_elements=("art50_1",),
    ),
    Case(
        "importer_of_a_high_risk_credit_tool",
        "Art. 3 Nr. 6 KI-VO (Einführer); Art. 23 Abs. 1–3 (Konformitätsbewertung, technische "
        "Dokumentation, CE-Kennzeichnung, Bevollmächtigter, eigener Name prüfen bzw. angeben)",
        row("credit", role="resell", affected="customers", output="assesses_people"),
        "high_risk",
        role="distributor",
        duties={"Art. 24": ANNEX_III},
        no_duties=("Art. 4", "Art. 16", "Art. 26", "Art. 27"),
        elements=("annex_iii_5_b",),
    ),
    Case(
        "chatgpt_used_to_rank_applications",
        "Art. 25 Abs. 1 Buchst. c KI-VO (Zweckänderung eines KI-Systems mit allgemeinem "
        "Verwendungszweck zu einem Hochrisiko-System; ob die bloße Nutzung genügt, ist strittig – "
        "prüfen); Anhang III Nr. 4 Buchst. a",
        row(
            "hr_screening",
            affected="applicants_employees",
            output="assesses_people",
            service="openai",
        ),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        elements=("annex_iii_4_a",),
        no_elements=("art25_1_bc",),
        check="Anbieter",
        path=("Art. 25 Abs. 1 Buchst. c",),
    ),
    Case(
        "bought_hr_product_needs_no_role_question",
        "Art. 3 Nr. 4 KI-VO (Betreiber eines Produkts, das sein Anbieter für diesen Zweck "
        "bestimmt hat); Art. 26",
        row(
            "hr_screening",
            affected="applicants_employees",
            output="assesses_people",
            service="other_service",
        ),
        "high_risk",
        duties={"Art. 26": ANNEX_III},
        no_duties=("Art. 16",),
        elements=("annex_iii_4_a",),
    ),
]

CASES = [*CASES, *REVIEW_CASES]


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return to_plain(load_document(CATALOGUE))


def classify(catalogue: dict, case: Case):
    answers = {"role": case.company_role, "use_cases": [case.row]}
    card = score(catalogue, answers)
    assert len(card.use_cases) == 1
    return card.use_cases[0]


def dated_duties(use_case) -> list[tuple[str, str]]:
    return list(zip(use_case.duty_articles, use_case.duty_dates, strict=True))


def cites(article: str, prefix: str) -> bool:
    """``article`` is ``prefix`` or a paragraph of it ("Art. 5" is not "Art. 50")."""
    return article == prefix or article.startswith((prefix + " ", prefix + ";", prefix + ","))


def test_the_table_has_at_least_forty_cases_each_with_a_source():
    assert len(CASES) >= 40
    assert len({c.key for c in CASES}) == len(CASES)
    for case in CASES:
        assert case.source.strip(), case.key


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.key)
def test_case(catalogue, case):
    uc = classify(catalogue, case)
    assert uc.ai_act_class == case.cls, (uc.ai_act_class, [p["de"] for p in uc.path])
    assert uc.role == case.role
    duties = dated_duties(uc)
    for article, date in case.duties.items():
        assert any(cites(a, article) and d == date for a, d in duties), (article, date, duties)
    for article in case.no_duties:
        assert not any(cites(a, article) for a, _ in duties), (article, duties)
    assert set(case.elements) <= set(uc.elements), uc.elements
    assert not set(case.no_elements) & set(uc.elements), uc.elements
    if case.check:
        assert uc.check and case.check in uc.check["de"], uc.check
        assert uc.check["en"]
        assert uc.at_stake == case.at_stake
    elif case.cls != "unclear":
        assert uc.check is None or case.role is None
    for phrase in case.path:
        assert any(phrase in p["de"] for p in uc.path), (phrase, [p["de"] for p in uc.path])
    # every row explains itself in both languages
    assert uc.path and all(p["de"] and p["en"] for p in uc.path)
    assert len(uc.duties) == len(uc.duty_articles) == len(uc.duty_dates)


def test_an_open_question_scores_less_than_a_high_risk_use(catalogue):
    unclear = next(c for c in CASES if c.key == "something_the_list_does_not_name")
    high = next(c for c in CASES if c.key == "cv_ranking_by_a_bought_tool")
    assert classify(catalogue, unclear).points < classify(catalogue, high).points


def test_a_prohibited_row_makes_the_dimension_critical_and_says_since_when(catalogue):
    case = next(c for c in CASES if c.key == "emotion_recognition_in_job_interviews")
    card = score(catalogue, {"role": "off_the_shelf", "use_cases": [case.row]})
    ai_act = card.dimension("ai_act")
    assert ai_act.level == "critical" and ai_act.knockout
    label = next(d for d in ai_act.drivers if d.question_key == "use_cases").answer_label["de"]
    assert "verboten seit 2. Februar 2025" in label


def test_the_excepted_stress_detection_is_never_told_to_stop(catalogue):
    case = next(c for c in CASES if c.key == "stress_detection_for_safety_in_a_control_room")
    uc = classify(catalogue, case)
    texts = " ".join(d["de"] for d in uc.duties) + " ".join(p["de"] for p in uc.path)
    assert "beenden" not in texts
    assert "Ausnahme" in texts


def test_old_catalogues_still_classify_through_their_hints():
    old = to_plain(load_document(CATALOGUE.with_name("ki-readiness-2026.12.yaml")))
    answers = {"use_cases": [{"name": "CV", "area": "hr_screening", "service": "openai"}]}
    uc = score(old, answers).use_cases[0]
    assert uc.ai_act_class == "high_risk"
    assert uc.annex_iii == "Anhang III Nr. 4"
