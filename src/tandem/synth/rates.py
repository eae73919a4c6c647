"""The rates the synthetic partnership is drawn from, and where each one comes from.

Sources, shortest first:
  [seed]  /work/shared/seeds (the charity's *No more lost childhoods* report and its web summary).
  [cba]   /work/shared/research/outcomes-cba.md, section 5 (DfE national figures for England).
  [dfe]   DfE "Schools, pupils and their characteristics" 2023/24 and the CIN census factors at
          assessment; rounded, recalled figures (no network here) — good to a percentage point,
          which is all a synthetic population needs.
  [model] A modelling choice: plausible, stated, and easy to change here.

Risk overlaps the seeds state, and how the generator meets them
----------------------------------------------------------------
- "Nearly 60% of our CSE and HSB services told us that the families they work with are also
  affected by domestic abuse" [seed]. Domestic abuse is drawn per household (rate DA_HOUSEHOLD);
  CSE and HSB are then drawn with odds DA_CSE_HSB_ODDS times higher in a household with domestic
  abuse. With a household rate d and a ratio r, P(DA | CSE or HSB) = d r / (d r + 1 - d);
  d = 0.30 and r = 3.5 give 0.60.
- "Almost 60% ... supported young people involved in criminal activity. 75% of those thought
  the young people may have been coerced" [seed]. The brief reads it as: about 75% of children
  in criminal exploitation also show missing, gangs or drugs indicators (CE_INDICATED).
- "Early trauma and neglect ... criminal exploitation, drugs and gangs" are overlapping [seed]:
  neglect is correlated with parental substance misuse (NEGLECT_GIVEN_PSM vs NEGLECT_NO_PSM).
- "More than 1 in 4 children are growing up in poverty" nationally [seed]; among children known
  to a partnership poverty is more common (POVERTY_HOUSEHOLD = 0.40) [model].
- "3 children in every classroom thought to have a diagnosable mental health problem" (about
  10%) [seed]; children known to services are higher: 15% from age 8 [dfe, model].
- Online harms "apply to everyone: rich or poor" [seed]: drawn independently of poverty.
- Referral sources: police 28% and schools 21% of referrals in 2025 [cba, 5.2]; the rest split
  between health, individuals, the local authority and the voluntary sector [model].
- Re-referrals 22.6% of referrals in 2025 [cba, 5.2]: children with more risks are referred
  more often (REFERRALS_EXTRA_PER_RISK).
- Threshold decisions: about 4 in 10 section 47 enquiries do not lead to a plan [cba, 5.2]; the
  front door's mix below gives about 10% child protection, 25% child in need, 25% early help,
  40% no further action or universal services [model, shaped by cba].

FGM is drawn for girls only and rarely, but deliberately *not* by ethnicity: a synthetic data
set that encodes an ethnic pattern would teach it to every model trained on it.
"""

# --- Households [model, dfe] -------------------------------------------------------------
CHILDREN_PER_HOUSEHOLD = {1: 0.45, 2: 0.33, 3: 0.15, 4: 0.07}
TWO_ADULTS = 0.62  # about a quarter of families with dependent children are lone-parent [dfe]
BLENDED_GIVEN_TWO_ADULTS = 0.25  # a partner of a parent, with their own and step-children
HALF_SIBLINGS_GIVEN_ONE_ADULT = 0.30  # first child has a different other parent
TWINS = 0.03  # of households with two or more children
UNBORN = 0.015  # of households: the youngest child is not yet born (pre-birth referral)
MALE_CHILD = 0.51
PARENT_A_FEMALE = 0.88
PARENT_B_MALE = 0.95
CHILD_NHS_NUMBER = 0.95  # the brief: about 95% of (born) children carry an NHS number
ADULT_NHS_NUMBER = 0.70
PUPIL_UPN = 0.97  # children who have started school with a unique pupil number
KNOWN_AS = 0.30  # children whose name has a common short form, known by it

# Ethnicity of children (DfE codes), England's pupils, 2023/24, rounded [dfe].
ETHNICITY = {
    "WBRI": 0.620,
    "WIRI": 0.002,
    "WIRT": 0.002,
    "WROM": 0.006,
    "WOTH": 0.085,
    "MWBC": 0.015,
    "MWBA": 0.009,
    "MWAS": 0.018,
    "MOTH": 0.025,
    "AIND": 0.037,
    "APKN": 0.046,
    "ABAN": 0.019,
    "AOTH": 0.018,
    "BCRB": 0.010,
    "BAFR": 0.040,
    "BOTH": 0.008,
    "CHNE": 0.005,
    "OOTH": 0.021,
    "REFU": 0.006,
    "NOBT": 0.008,
}

# --- Risks [seed, model] ------------------------------------------------------------------
DA_HOUSEHOLD = 0.30  # domestic abuse: the most common factor at CIN assessment [dfe]
PSM_HOUSEHOLD = 0.18  # parental substance misuse (drugs or alcohol) [dfe]
POVERTY_HOUSEHOLD = 0.40
NEGLECT_GIVEN_PSM = 0.55
NEGLECT_NO_PSM = 0.18
NEGLECT_SIBLING_SHARED = 0.85  # neglect in a household reaches most of its children

DA_CSE_HSB_ODDS = 3.5  # see the docstring: gives P(DA | CSE or HSB) = 0.60
CSE_BASE = 0.030  # per child aged 10-17 in a household without domestic abuse, girls
CSE_BOY_FACTOR = 0.35
HSB_BASE = 0.018  # per child aged 8-17 without domestic abuse, boys
HSB_GIRL_FACTOR = 0.25
CE_RATE = 0.05  # criminal exploitation, children aged 11-17; boys twice girls
CE_GIRL_FACTOR = 0.5
CE_INDICATED = 0.75  # of CE: also missing, gangs or drugs [seed, as the brief reads it]
CE_MISSING, CE_GANGS, CE_DRUGS = 0.55, 0.45, 0.55  # each, among the indicated
MISSING_BACKGROUND = 0.03  # aged 10+, no CE
MISSING_GIVEN_CSE = 0.45
DRUGS_BACKGROUND = 0.03  # aged 12+, no CE
GANGS_BACKGROUND = 0.01  # aged 12+, no CE
TRAFFICKING_BACKGROUND = 0.003  # aged 10+
TRAFFICKING_GIVEN_CE = 0.08  # county lines
FGM_GIRLS = 0.002
MENTAL_HEALTH = 0.15  # aged 8+
MENTAL_HEALTH_GIVEN_HARM = 0.45  # with CSE, HSB, online grooming or cyber-bullying
ONLINE_GROOMING = 0.03  # aged 10+
CYBER_BULLYING = 0.08  # aged 9+
GAMING = 0.05  # aged 8+, boys; girls a third of that
OTHER = 0.04

# --- Referrals, decisions, feedback [cba, model] --------------------------------------------
YEARS_OF_HISTORY = 4
REFERRED_BY_RISKS = (0.12, 0.55, 0.80, 0.92)  # P(at least one referral) for 0, 1, 2, 3+ risks
REFERRALS_EXTRA_PER_RISK = 0.25  # extra referrals: Poisson(this x risks), at most 5 in all
REASON_KEPT = 0.65  # each of the child's risks named on a given referral
# Lower-level concerns go to the early help hub instead of the MASH, by concern level.
TO_EARLY_HELP_HUB = {1: 0.6, 2: 0.3, 3: 0.0}
# Referral source (the referrer's partner kind) by the referral's primary concern; columns are
# police, school, health, charity, local authority, individual. Police ~28%, schools ~21%.
SOURCE_KINDS = ("police", "school", "health", "charity", "local_authority", "individual")
SOURCE_WEIGHTS_BY_CONCERN = {
    "police": (0.55, 0.10, 0.06, 0.09, 0.10, 0.10),  # DA, CE, gangs, drugs, missing, trafficking
    "exploitation": (0.30, 0.25, 0.10, 0.20, 0.10, 0.05),  # CSE, HSB, online grooming
    "care": (0.12, 0.28, 0.28, 0.08, 0.12, 0.12),  # neglect, PSM, FGM, mental health, poverty
    "other": (0.10, 0.35, 0.15, 0.10, 0.10, 0.20),  # online harms, other
}
# Decision mix (nfa, universal, early_help, child_in_need, child_protection) by concern level.
FRONT_DOOR_DECISIONS = {
    1: (0.30, 0.22, 0.30, 0.15, 0.03),
    2: (0.18, 0.14, 0.28, 0.28, 0.12),
    3: (0.08, 0.06, 0.18, 0.38, 0.30),
}
EARLY_HELP_HUB_DECISIONS = (0.12, 0.35, 0.48, 0.05, 0.0)
DECISION_HOURS_MEDIAN = 18  # the front door decides within a working day, mostly
FEEDBACK_DAYS_MAX = 7
NO_FEEDBACK_EVER = 0.06  # decided referrals whose feedback was never recorded
AWAITING_DECISION_DAYS = 7  # referrals this new may still be waiting (with AWAITING_DECISION)
AWAITING_DECISION = 0.6
OPEN_PER_TEAM_PER_CHUNK = 3  # every receiving team has a queue: its newest referrals wait
FAMILY_AWARE = (0.80, 0.12, 0.08)  # yes, no (risk to the child), no (other reason)

# --- Involvements [model] -------------------------------------------------------------------
EARLY_HELP_AT_CHARITY = 0.40  # early help delivered by the charity's family support service
ALLOCATED = {"early_help": 0.85, "child_in_need": 0.90, "child_protection": 0.97}
CASE_DAYS = {"early_help": (90, 270), "child_in_need": (90, 365), "child_protection": (180, 540)}
TRANSFER_DAYS = (5, 20)  # front door keeps a case until the CIN or CP team takes it
DUTY_ALLOCATED = 0.5  # ... with a duty worker allocated meanwhile
SPECIALIST_SERVICE = 0.70  # CSE/missing or HSB children with an open case: the charity's service
LEAVING_CARE_16_PLUS = 0.30  # 16-17s with a CIN or CP history: pathway planning begins
POLICE_INVOLVED = 0.60  # children with police events and an exploitation or missing risk
POLICE_ALLOCATED = 0.30
HEALTH_VISITOR_ALLOCATED = 0.30  # under-fives with any risk
SCHOOL_NURSE_INVOLVED = 0.50  # children with mental health concerns
MOVED_SCHOOL = 0.08
# Children looked after on 31 March, per 10,000 children (DfE, Children looked after in England
# 2024-25): `synth/care.py` draws periods of care at this rate, and the children in care team is
# staffed for them.
LOOKED_AFTER_PER_10K = 67
CASELOAD = {  # allocated, open cases per worker: the brief's 15-25
    "social_care": 18,
    "early_help": 20,
    "charity": 15,
    "police": 25,
    "health": 25,
    "leaving_care": 20,
}
SCHOOLS_PER_CHILDREN = 400  # one school per 400 children on the record, at least 3
SECONDARY_SHARE = 0.25  # of schools
GP_PRACTICES_PER_CHILDREN = 5000  # at least 3, at most 60

# --- Chronology events [model] --------------------------------------------------------------
DA_INCIDENTS_EXTRA = 0.8  # per DA household: 1 + Poisson(this) police-attended incidents
MISSING_EPISODES_EXTRA = 1.5
POLICE_INCIDENTS_EXTRA = 1.0
ARREST_GIVEN_CE = 0.35
SUSPENSION = 0.35  # school-age with CE, HSB, gangs, drugs or mental health
EXCLUSION = 0.05
ATTENDANCE_CONCERN = 0.30  # school-age with neglect, poverty, mental health or missing
AE_YOUNG_NEGLECT = 0.20
AE_BACKGROUND = 0.04
SELF_HARM_GIVEN_MH = 0.30  # aged 11+
HOME_VISITS_PER_MONTH = 0.3  # during an allocated early help, CIN or CP case
HEALTH_CONTACTS_EXTRA = 1.0  # health visiting contacts with under-fives
