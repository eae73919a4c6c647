"""Coded values for people, as the Department for Education codes them (SSDA903 and CIN census)."""

from django.db import models


class Sex(models.TextChoices):
    # DfE codes from 2025: M, F, U.
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known"


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WROM = "WROM", "Gypsy or Roma"
    WOTH = "WOTH", "Any other White background"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class RelationshipKind(models.TextChoices):
    """How person A relates to person B. Each kind has an inverse: B's relation to A."""

    PARENT = "parent", "Parent"
    CHILD = "child", "Child"
    CARER = "carer", "Carer"
    CARED_FOR = "cared_for", "Cared for by"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    PARTNER_OF_PARENT = "partner_of_parent", "Partner of parent"
    CHILD_OF_PARTNER = "child_of_partner", "Child of partner"
    OTHER = "other", "Other"


INVERSE_RELATIONSHIP = {
    RelationshipKind.PARENT: RelationshipKind.CHILD,
    RelationshipKind.CHILD: RelationshipKind.PARENT,
    RelationshipKind.CARER: RelationshipKind.CARED_FOR,
    RelationshipKind.CARED_FOR: RelationshipKind.CARER,
    RelationshipKind.SIBLING: RelationshipKind.SIBLING,
    RelationshipKind.HALF_SIBLING: RelationshipKind.HALF_SIBLING,
    RelationshipKind.PARTNER_OF_PARENT: RelationshipKind.CHILD_OF_PARTNER,
    RelationshipKind.CHILD_OF_PARTNER: RelationshipKind.PARTNER_OF_PARENT,
    RelationshipKind.OTHER: RelationshipKind.OTHER,
}


class EventKind(models.TextChoices):
    """What a partner records on a child's chronology."""

    POLICE_INCIDENT = "police_incident", "Police incident"
    DOMESTIC_ABUSE_INCIDENT = "domestic_abuse_incident", "Domestic abuse incident"
    MISSING_EPISODE = "missing_episode", "Missing episode"
    ARREST = "arrest", "Arrest"
    SCHOOL_EXCLUSION = "school_exclusion", "School exclusion"
    SCHOOL_SUSPENSION = "school_suspension", "School suspension"
    ATTENDANCE_CONCERN = "attendance_concern", "Attendance concern"
    AE_ATTENDANCE = "ae_attendance", "A&E attendance"
    SELF_HARM = "self_harm", "Self-harm presentation"
    HEALTH_CONTACT = "health_contact", "Health contact"
    HOME_VISIT = "home_visit", "Home visit"
    MEETING = "meeting", "Multi-agency meeting"
    NOTE = "note", "Note"
