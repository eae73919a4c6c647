"""Free text for synthetic referrals, decisions and feedback: a few plain variants of each.

No text names a child or a family member, so no text can contradict the structured record.
"""

CONCERNS = {
    "neglect": [
        "The child often arrives hungry and in unwashed clothes; the home was cold and dirty when "
        "we visited.",
        "Repeated missed health appointments and poor home conditions; the younger children are "
        "left unsupervised.",
    ],
    "domestic_abuse": [
        "Police were called to the home after an incident between the adults; the children were "
        "present.",
        "The parent disclosed controlling behaviour by their partner and is frightened for the "
        "children.",
    ],
    "cse": [
        "Seen getting into cars with older men; has new phones and clothes the family cannot "
        "explain.",
        "Disclosed to a teacher that an adult she met online asked her to meet and send images.",
    ],
    "hsb": [
        "Sexualised behaviour towards younger children at school, beyond what is expected for "
        "their age.",
        "A younger child disclosed sexual behaviour by this young person; parents are worried.",
    ],
    "criminal_exploitation": [
        "Found with large amounts of cash and a second phone; believed to be carrying drugs for "
        "others.",
        "Associating with older youths linked to county lines; unexplained injuries and absences.",
    ],
    "drugs": [
        "Smelling of cannabis in school and admits regular use; attendance has dropped.",
        "Found in possession of drugs; says older friends supply them.",
    ],
    "gangs": [
        "Wearing colours linked to a local gang and posting threats on social media.",
        "Assaulted by young people from a rival area; fears for their safety.",
    ],
    "missing": [
        "Has been reported missing three times this month, returning late at night.",
        "Went missing overnight and would not say where they had been on return.",
    ],
    "trafficking": [
        "Arrived recently with an adult who is not a relative; may have been brought here to "
        "work.",
        "Found in another county with adults not known to the family; concerns about trafficking.",
    ],
    "fgm": [
        "The family plans an extended trip abroad in the summer; concerns about FGM were raised.",
        "An older sibling has had FGM; the school is worried about the younger girls.",
    ],
    "mental_health": [
        "Low mood, withdrawn and has talked about self-harm to a friend.",
        "Panic attacks in school and not sleeping; on the CAMHS waiting list.",
    ],
    "online_grooming": [
        "Talking to an adult online who asked to keep the conversations secret.",
        "Sent images to someone met through a game who is now making threats.",
    ],
    "cyber_bullying": [
        "Being bullied in group chats; refusing to come to school.",
        "Images shared without consent by classmates; very distressed.",
    ],
    "gaming": [
        "Gaming through the night, not attending school, aggressive when the console is removed.",
        "Spending money on in-game purchases without permission; isolated from friends.",
    ],
    "poverty": [
        "The family has no money for food or heating; rent arrears and an eviction notice.",
        "Parent struggling with debt; the children lack basics such as beds and winter coats.",
    ],
    "parental_substance_misuse": [
        "Parent appears under the influence of alcohol at school collection.",
        "Drug paraphernalia seen in the home within reach of the children.",
    ],
    "other": [
        "The family has asked for help; several professionals have low-level worries.",
        "Concerns about the child's wellbeing raised by more than one professional.",
    ],
}

DECISION_REASONS = {
    "nfa": [
        "Checks with partners show no further concerns; the family has support in place.",
        "The concern was addressed at the point of contact; no role for children's services.",
    ],
    "universal": [
        "Needs can be met by the school and health services; advice given to the referrer.",
        "Signposted to universal services; the family agreed to contact their health visitor.",
    ],
    "early_help": [
        "Needs are below the statutory threshold; the family consented to an early help "
        "assessment.",
        "Early help offered: a family support worker will complete an assessment with the family.",
    ],
    "child_in_need": [
        "The child is likely to need services to reach a reasonable standard of health or "
        "development: child and family assessment under section 17.",
        "Complex needs across the family: section 17 assessment by the children in need team.",
    ],
    "child_protection": [
        "Reasonable cause to suspect significant harm: strategy discussion held and section 47 "
        "enquiries started.",
        "Strategy meeting with police and health; section 47 enquiries agreed.",
    ],
}

FEEDBACK = {
    "nfa": [
        "Thank you for your referral. After checks with partners we are taking no further action; "
        "please refer again if things change.",
    ],
    "universal": [
        "Thank you for your referral. The child's needs can be met by universal services; we have "
        "given the family information about local support.",
    ],
    "early_help": [
        "Thank you for your referral. The family has accepted early help; a key worker will be in "
        "touch with you about the plan.",
    ],
    "child_in_need": [
        "Thank you for your referral. A social worker will complete a child and family "
        "assessment; they may contact you for information.",
    ],
    "child_protection": [
        "Thank you for your referral. We are making child protection enquiries with partners; the "
        "social worker will share what you need to know.",
    ],
}
