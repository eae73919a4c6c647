"""Each child's risk profile: the known truth that referrals, involvements and events follow.

Household risks (domestic abuse, parental substance misuse, poverty, neglect) are shared by the
children of a household; the others are the child's own, by age and sex, with the overlaps the
seeds describe (see `tandem.synth.rates`).
"""

import numpy as np

from tandem.referrals.codes import Reason
from tandem.synth import rates
from tandem.synth.families import Families

REASONS = [r.value for r in Reason]
R = {name: i for i, name in enumerate(REASONS)}


def draw_risks(rng: np.random.Generator, fam: Families) -> np.ndarray:
    """A (children x reasons) boolean matrix, columns in `REASONS` order."""
    n, h = fam.n_children, len(fam.hh_id)
    hh = fam.child_hh
    age = fam.child_age
    sex = fam.child_sex
    girl, boy = sex == "F", sex == "M"
    born = age >= 0
    out = np.zeros((n, len(REASONS)), dtype=bool)

    def u():
        return rng.random(n)

    da = rng.random(h) < rates.DA_HOUSEHOLD
    psm = rng.random(h) < rates.PSM_HOUSEHOLD
    poverty = rng.random(h) < rates.POVERTY_HOUSEHOLD
    neglect = rng.random(h) < np.where(psm, rates.NEGLECT_GIVEN_PSM, rates.NEGLECT_NO_PSM)
    out[:, R["domestic_abuse"]] = da[hh]
    out[:, R["parental_substance_misuse"]] = psm[hh]
    out[:, R["poverty"]] = poverty[hh]
    out[:, R["neglect"]] = neglect[hh] & (u() < rates.NEGLECT_SIBLING_SHARED)

    da_odds = np.where(da[hh], rates.DA_CSE_HSB_ODDS, 1.0)
    cse_p = rates.CSE_BASE * np.where(girl, 1.0, rates.CSE_BOY_FACTOR) * da_odds
    out[:, R["cse"]] = (age >= 10) & (u() < cse_p)
    hsb_p = rates.HSB_BASE * np.where(boy, 1.0, rates.HSB_GIRL_FACTOR) * da_odds
    out[:, R["hsb"]] = (age >= 8) & (u() < hsb_p)

    ce = (age >= 11) & (u() < rates.CE_RATE * np.where(girl, rates.CE_GIRL_FACTOR, 1.0))
    out[:, R["criminal_exploitation"]] = ce
    cse = out[:, R["cse"]]
    missing = (age >= 10) & (
        u() < np.where(cse, rates.MISSING_GIVEN_CSE, rates.MISSING_BACKGROUND)
    )
    drugs = (age >= 12) & (u() < rates.DRUGS_BACKGROUND)
    gangs = (age >= 12) & (u() < rates.GANGS_BACKGROUND)
    # Exploited children: three in four show missing, gangs or drugs indicators, the rest none.
    indicated = ce & (u() < rates.CE_INDICATED)
    ce_missing, ce_gangs, ce_drugs = (
        u() < rates.CE_MISSING,
        u() < rates.CE_GANGS,
        u() < rates.CE_DRUGS,
    )
    none = ~(ce_missing | ce_gangs | ce_drugs)
    pick = rng.integers(0, 3, n)
    ce_missing |= none & (pick == 0)
    ce_gangs |= none & (pick == 1)
    ce_drugs |= none & (pick == 2)
    out[:, R["missing"]] = np.where(ce, indicated & ce_missing, missing)
    out[:, R["gangs"]] = np.where(ce, indicated & ce_gangs, gangs)
    out[:, R["drugs"]] = np.where(ce, indicated & ce_drugs, drugs)
    out[:, R["trafficking"]] = (age >= 10) & (
        u() < np.where(ce, rates.TRAFFICKING_GIVEN_CE, rates.TRAFFICKING_BACKGROUND)
    )
    out[:, R["fgm"]] = girl & (u() < rates.FGM_GIRLS)

    out[:, R["online_grooming"]] = (age >= 10) & (u() < rates.ONLINE_GROOMING)
    out[:, R["cyber_bullying"]] = (age >= 9) & (u() < rates.CYBER_BULLYING)
    out[:, R["gaming"]] = (age >= 8) & (u() < rates.GAMING * np.where(boy, 1.0, 1 / 3))
    harmed = out[:, [R["cse"], R["hsb"], R["online_grooming"], R["cyber_bullying"]]].any(axis=1)
    out[:, R["mental_health"]] = (age >= 8) & (
        u() < np.where(harmed, rates.MENTAL_HEALTH_GIVEN_HARM, rates.MENTAL_HEALTH)
    )
    out[:, R["other"]] = born & (u() < rates.OTHER)
    return out
