"""Coded lists for contacts and referrals: the seeds' risks, the CIN census referral sources,
and the threshold decisions of a children's services front door."""

from django.db import models


class Reason(models.TextChoices):
    NEGLECT = "neglect", "Neglect"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    CSE = "cse", "Child sexual exploitation"
    HSB = "hsb", "Harmful sexual behaviour"
    CRIMINAL_EXPLOITATION = "criminal_exploitation", "Criminal exploitation"
    DRUGS = "drugs", "Drugs"
    GANGS = "gangs", "Gangs"
    MISSING = "missing", "Going missing"
    TRAFFICKING = "trafficking", "Trafficking"
    FGM = "fgm", "Female genital mutilation"
    MENTAL_HEALTH = "mental_health", "Mental health"
    ONLINE_GROOMING = "online_grooming", "Online harm: grooming"
    CYBER_BULLYING = "cyber_bullying", "Online harm: cyber-bullying"
    GAMING = "gaming", "Online harm: gaming addiction"
    POVERTY = "poverty", "Poverty"
    PARENTAL_SUBSTANCE_MISUSE = "parental_substance_misuse", "Parental substance misuse"
    OTHER = "other", "Other"


class Source(models.TextChoices):
    """Who the referral came from, in the CIN census's ReferralSource codes."""

    FAMILY = "1A", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1B", "Individual: acquaintance"
    SELF = "1C", "Individual: self"
    OTHER_INDIVIDUAL = "1D", "Individual: other"
    SCHOOL = "2A", "Schools"
    EDUCATION = "2B", "Education services"
    GP = "3A", "Health: GP"
    HEALTH_VISITOR = "3B", "Health: health visitor"
    SCHOOL_NURSE = "3C", "Health: school nurse"
    OTHER_PRIMARY_HEALTH = "3D", "Health: other primary health services"
    HOSPITAL_AE = "3E", "Health: A&E"
    OTHER_HEALTH = "3F", "Health: other"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "Local authority: social care"
    LA_OTHER_INTERNAL = "5B", "Local authority: other internal department"
    LA_EXTERNAL = "5C", "Local authority: external"
    EARLY_HELP = "5D", "Early help"
    POLICE = "6", "Police"
    OTHER_LEGAL = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class Decision(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    UNIVERSAL = "universal", "Universal services"
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"


# Decisions that open a case for the deciding team (and so keep its access to the child).
DECISIONS_OPENING_A_CASE = {Decision.EARLY_HELP, Decision.CHILD_IN_NEED, Decision.CHILD_PROTECTION}


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Awaiting decision"
    DECIDED = "decided", "Decided, feedback due"
    CLOSED = "closed", "Feedback given"


class FamilyAware(models.TextChoices):
    YES = "yes", "Yes"
    NO_RISK = "no_risk", "No: telling them could put the child at risk"
    NO_OTHER = "no_other", "No: for another reason"
