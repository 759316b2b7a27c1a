"""The ILO harmonised variables and their codelists, in one low module (no evidencekit imports).

Names and codes are those of ILO's harmonised microdata (``ilo_*``), reconstructed from ILO's own processing
code; see ``docs/indicators.md`` §2 (variable dictionary) and ``docs/mappings.md`` (mapping a national survey
onto them). Mappings check their target codes against :data:`ILO_LABELS`, estimates flag records and groups
whose codes fall outside it, and ``evidencekit mapping init`` lists :data:`ILO_VARIABLES` to fill.

>>> ILO_LABELS["ilo_lfs"][2]
'Unemployed'
>>> allowed_codes("ilo_joball_tru"), allowed_codes("ilo_sex"), allowed_codes("ilo_age")
([1, 0], [1, 2], None)
"""
from __future__ import annotations

ILO_LABELS: dict[str, dict[int, str]] = {
    "ilo_geo": {1: "Urban", 2: "Rural", 3: "Not elsewhere classified"},
    "ilo_sex": {1: "Male", 2: "Female"},
    "ilo_age_5yrbands": {1: "0-4", 2: "5-9", 3: "10-14", 4: "15-19", 5: "20-24", 6: "25-29", 7: "30-34", 8: "35-39",
                         9: "40-44", 10: "45-49", 11: "50-54", 12: "55-59", 13: "60-64", 14: "65+"},
    "ilo_age_10yrbands": {1: "<15", 2: "15-24", 3: "25-34", 4: "35-44", 5: "45-54", 6: "55-64", 7: "65+"},
    "ilo_age_aggregate": {1: "<15", 2: "15-24", 3: "25-54", 4: "55-64", 5: "65+"},
    "ilo_edu_aggregate": {1: "Less than basic", 2: "Basic", 3: "Intermediate", 4: "Advanced", 5: "Level not stated"},
    "ilo_edu_attendance": {1: "Attending", 2: "Not attending", 3: "Not elsewhere classified"},
    "ilo_mrts_details": {1: "Single", 2: "Married", 3: "Union/cohabiting", 4: "Widowed", 5: "Divorced/separated",
                         6: "Not elsewhere classified"},
    "ilo_mrts_aggregate": {1: "Single/widowed/divorced/separated", 2: "Married/union/cohabiting", 3: "Not elsewhere classified"},
    "ilo_wap": {1: "Working-age population"},
    "ilo_lfs": {1: "Employed", 2: "Unemployed", 3: "Outside the labour force"},
    "ilo_mjh": {1: "One job only", 2: "More than one job"},
    "ilo_cat_une": {1: "Unemployed previously employed", 2: "Unemployed seeking their first job", 3: "Unknown"},
    "ilo_dur_aggregate": {1: "Less than 6 months", 2: "6 months to less than 12 months", 3: "12 months or more",
                          4: "Not elsewhere classified"},
    "ilo_olf_dlma": {1: "Seeking, not available (unavailable jobseekers)",
                     2: "Not seeking, available (available potential jobseekers)",
                     3: "Not seeking, not available, willing (willing non-jobseekers)",
                     4: "Not seeking, not available, not willing", 5: "Not elsewhere classified"},
    "ilo_olf_reason": {1: "Labour market (discouraged)", 2: "Other labour market reasons", 3: "Personal/family-related",
                       4: "Does not need/want to work", 5: "Not elsewhere classified"},
    "ilo_dis": {1: "Discouraged job-seekers"},
    "ilo_neet": {1: "Youth not in employment, education or training"},
    "ilo_job1_ste_icse93": {1: "Employees", 2: "Employers", 3: "Own-account workers",
                            4: "Members of producers' cooperatives", 5: "Contributing family workers",
                            6: "Workers not classifiable by status"},
    "ilo_job1_ste_aggregate": {1: "Employees", 2: "Self-employed", 3: "Not classifiable by status"},
    "ilo_job1_eco_isic4": {i + 1: f"{s}" for i, s in enumerate("ABCDEFGHIJKLMNOPQRSTU")} | {22: "X Not elsewhere classified"},
    "ilo_job1_eco_aggregate": {1: "Agriculture", 2: "Manufacturing", 3: "Construction",
                               4: "Mining and quarrying; Electricity, gas and water supply",
                               5: "Market services (Trade; Transportation; Accommodation and food; Business and administrative services)",
                               6: "Non-market services (Public administration; Community, social and other services)",
                               7: "Not classifiable by economic activity"},
    "ilo_job1_ocu_isco08": {1: "Managers", 2: "Professionals", 3: "Technicians and associate professionals",
                            4: "Clerical support workers", 5: "Service and sales workers",
                            6: "Skilled agricultural, forestry and fishery workers", 7: "Craft and related trades workers",
                            8: "Plant and machine operators, and assemblers", 9: "Elementary occupations",
                            10: "Armed forces occupations", 11: "Not elsewhere classified"},
    "ilo_job1_ocu_aggregate": {1: "Managers, professionals, and technicians", 2: "Clerical, service and sales workers",
                               3: "Skilled agricultural and trades workers", 4: "Plant and machine operators, and assemblers",
                               5: "Elementary occupations", 6: "Armed forces", 7: "Not elsewhere classified"},
    "ilo_job1_ocu_skill": {1: "Skill level 1 (low)", 2: "Skill level 2 (medium)", 3: "Skill levels 3 and 4 (high)",
                           4: "Not elsewhere classified"},
    "ilo_job1_ins_sector": {1: "Public", 2: "Private"},
    "ilo_job1_job_time": {1: "Part-time", 2: "Full-time", 3: "Unknown"},
    "ilo_job1_job_contract": {1: "Permanent (unlimited duration)", 2: "Temporary (limited duration)", 3: "Unknown"},
    "ilo_job1_ife_prod": {1: "Informal", 2: "Formal", 3: "Household"},
    "ilo_job1_ife_nature": {1: "Informal job", 2: "Formal job"},
    "ilo_joball_tru": {1: "Time-related underemployed"},
}
_HOURS_BANDS = {1: "No hours actually worked", 2: "01-14", 3: "15-29", 4: "30-34", 5: "35-39", 6: "40-48", 7: "49+",
                8: "Not elsewhere classified"}
for _v in ("ilo_job1_how_actual_bands", "ilo_job1_how_usual_bands", "ilo_joball_how_actual_bands", "ilo_joball_how_usual_bands"):
    ILO_LABELS[_v] = _HOURS_BANDS


def allowed_codes(column: str) -> list[int] | None:
    """The codes ``column`` may hold (None for a variable without a codelist, e.g. ``ilo_age``). In ILO's 1/missing
    dummies (``ilo_wap``, ``ilo_joball_tru``…), 0 for 'no' is accepted too."""
    codes = ILO_LABELS.get(column)
    if codes is None:
        return None
    return list(codes) + ([0] if list(codes) == [1] else [])


# What each ILO variable holds, for messages and the starting mapping (``docs/indicators.md`` §2.2).
ILO_VARIABLES: dict[str, str] = {
    "ilo_wgt": "final person weight (the survey's own weight)",
    "ilo_key": "person identifier, unique in the file",
    "ilo_time": "reference period (1 = the file's period)",
    "ilo_geo": "area: 1 urban, 2 rural, 3 not elsewhere classified",
    "ilo_sex": "sex: 1 male, 2 female",
    "ilo_age": "age in completed years",
    "ilo_age_5yrbands": "age in 5-year bands (1 0-4 ... 14 65+)",
    "ilo_age_10yrbands": "age in 10-year bands (1 <15, 2 15-24 ... 7 65+)",
    "ilo_age_aggregate": "age bands: 1 <15, 2 15-24, 3 25-54, 4 55-64, 5 65+",
    "ilo_wap": "working-age population: 1 for persons aged 15 and over, missing otherwise",
    "ilo_edu_aggregate": "education: 1 less than basic, 2 basic, 3 intermediate, 4 advanced, 5 not stated",
    "ilo_edu_attendance": "attending education: 1 attending, 2 not attending, 3 not elsewhere classified",
    "ilo_mrts_details": "marital status (1 single ... 6 not elsewhere classified)",
    "ilo_mrts_aggregate": "marital status: 1 single/widowed/divorced/separated, 2 married/union, 3 n.e.c.",
    "ilo_lfs": "labour force status: 1 employed, 2 unemployed, 3 outside the labour force",
    "ilo_mjh": "multiple job holding: 1 one job only, 2 more than one job",
    "ilo_cat_une": "category of unemployed: 1 previously employed, 2 seeking first job, 3 unknown",
    "ilo_dur_aggregate": "duration of unemployment: 1 <6 months, 2 6-<12 months, 3 12 months or more, 4 n.e.c.",
    "ilo_olf_dlma": "attachment of persons outside the labour force: 1 seeking not available, "
                    "2 available not seeking, 3 willing, 4 not willing, 5 n.e.c.",
    "ilo_olf_reason": "reason for not seeking work: 1 labour market (discouraged), 2 other labour market, "
                      "3 personal/family, 4 does not need/want to work, 5 n.e.c.",
    "ilo_dis": "discouraged job-seeker: 1 yes, missing otherwise",
    "ilo_neet": "youth not in employment, education or training: 1 yes, missing otherwise",
    "ilo_job1_ste_icse93": "status in employment, main job (ICSE-93): 1 employees, 2 employers, 3 own-account, "
                           "4 producers' cooperatives, 5 contributing family workers, 6 not classifiable",
    "ilo_job1_ste_aggregate": "status in employment, main job: 1 employees, 2 self-employed, 3 not classifiable",
    "ilo_job1_eco_isic4": "economic activity, main job (ISIC Rev.4 sections: 1 A ... 21 U, 22 X)",
    "ilo_job1_eco_aggregate": "economic activity, main job (7 aggregate groups)",
    "ilo_job1_ocu_isco08": "occupation, main job (ISCO-08 major groups: 1 managers ... 10 armed forces, 11 n.e.c.)",
    "ilo_job1_ocu_aggregate": "occupation, main job (7 aggregate groups)",
    "ilo_job1_ocu_skill": "skill level of the occupation, main job (1 low, 2 medium, 3 high, 4 n.e.c.)",
    "ilo_job1_ins_sector": "institutional sector, main job: 1 public, 2 private",
    "ilo_job1_job_time": "working time, main job: 1 part-time, 2 full-time, 3 unknown",
    "ilo_job1_job_contract": "type of contract, main job: 1 permanent, 2 temporary, 3 unknown",
    "ilo_job1_ife_prod": "unit of production, main job: 1 informal, 2 formal, 3 household",
    "ilo_job1_ife_nature": "nature of the main job: 1 informal, 2 formal",
    "ilo_job1_how_actual": "weekly hours actually worked, main job",
    "ilo_job1_how_usual": "weekly hours usually worked, main job",
    "ilo_joball_how_actual": "weekly hours actually worked, all jobs",
    "ilo_joball_how_usual": "weekly hours usually worked, all jobs",
    "ilo_joball_tru": "time-related underemployment: 1 underemployed (employed only), missing otherwise",
    "ilo_job1_lri_ees": "monthly earnings of employees, main job (local currency)",
    "ilo_job1_lri_slf": "monthly labour-related income of the self-employed, main job (local currency)",
}
