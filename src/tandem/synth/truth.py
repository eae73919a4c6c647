"""The known truth behind a synthetic partnership: each child's risk profile.

Nothing is stored: the profiles are redrawn from the run's parameters (seed, children, chunk
size, as-of date), which give the very same children the database holds. Record linkage and
risk-flag scoring compare what they find against this.
"""

import uuid
from dataclasses import dataclass

import numpy as np

from tandem.synth.build import CHUNK_SIZE, chunk_sizes, draw_people
from tandem.synth.models import SynthRun
from tandem.synth.risks import REASONS


@dataclass
class Truth:
    child_id: list[str]  # str(uuid), as str(person.pk) gives it
    household_id: list[str]
    date_of_birth: np.ndarray  # datetime64[D], NaT for the unborn
    sex: np.ndarray
    risks: np.ndarray  # (children x REASONS) booleans
    reasons: tuple[str, ...] = tuple(REASONS)

    def __len__(self) -> int:
        return len(self.child_id)

    def column(self, reason: str) -> np.ndarray:
        return self.risks[:, self.reasons.index(reason)]

    def profile(self, child_id) -> set[str]:
        """The risks of one child (by id, as a UUID or a string)."""
        i = self._index()[str(child_id)]
        return {r for r, has in zip(self.reasons, self.risks[i], strict=True) if has}

    def _index(self) -> dict[str, int]:
        if not hasattr(self, "_by_id"):
            self._by_id = {c: i for i, c in enumerate(self.child_id)}
        return self._by_id


def _uuid(hex_: str) -> str:
    return str(uuid.UUID(hex_))


def child_risk_profiles(*, seed: int, children: int, as_of, chunk_size: int = CHUNK_SIZE) -> Truth:
    parts = []
    for chunk, n in enumerate(chunk_sizes(children, chunk_size)):
        fam, risks = draw_people(seed, chunk, n, chunk_size, as_of)
        parts.append((fam, risks))
    return Truth(
        child_id=[_uuid(fam.p_id[i]) for fam, _ in parts for i in fam.child_p],
        household_id=[_uuid(fam.hh_id[h]) for fam, _ in parts for h in fam.child_hh],
        date_of_birth=np.concatenate([fam.child_dob for fam, _ in parts]),
        sex=np.concatenate([fam.child_sex for fam, _ in parts]),
        risks=np.concatenate([risks for _, risks in parts]),
    )


def for_run(run: SynthRun) -> Truth:
    return child_risk_profiles(
        seed=run.seed, children=run.children, as_of=run.as_of, chunk_size=run.chunk_size
    )


def latest() -> Truth:
    """The truth for the data in the database (the last finished build)."""
    run = SynthRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    if run is None:
        raise SynthRun.DoesNotExist("No synthetic partnership has been built here")
    return for_run(run)
