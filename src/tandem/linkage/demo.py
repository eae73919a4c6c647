"""The demo's early identification: the partners' extracts of the demo's own children (the same
seed, so they link to the record), loaded by each partner's own manager and linked, so that the
worklist has flagged children on the first sign-in. Made through the services, as a partner's
analyst would. Synthetic only."""

from dataclasses import dataclass
from pathlib import Path

from tandem.jobs.services import job_run
from tandem.linkage import ingest, linking
from tandem.linkage.models import BadRows, ExtractUpload, Flag
from tandem.partners.models import PartnerKind, Role, User

# Which partner sends which extract. Schools have no manager among the synthetic practitioners,
# so the school extract is written (for `tandem link files`) but not loaded.
SENDERS = {
    "police": PartnerKind.POLICE,
    "health": PartnerKind.NHS_TRUST,
    "council": PartnerKind.LOCAL_AUTHORITY,
    "charity": PartnerKind.CHARITY,
}
LOADERS = (Role.PARTNERSHIP_ANALYST, Role.TEAM_MANAGER)


@dataclass(frozen=True)
class DemoLinkage:
    directory: Path
    loaded: dict[str, int]  # extract type: rows loaded
    flags: int


def _loader(kind: str) -> User | None:
    users = User.objects.filter(
        is_active=True, role__in=LOADERS, team__partner__kind=kind
    ).order_by("role", "username")  # an analyst before a team manager
    return users.first()


def _blocks(path: Path):
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            yield block


def demo_linkage(*, directory: Path, analyst: User) -> DemoLinkage:
    """Write the extracts of the last synthetic build into `directory`, load each partner's,
    link them and raise flags."""
    from tandem.synth.extracts import write_extracts
    from tandem.synth.models import SynthRun

    run = SynthRun.objects.latest("started_at")
    directory.mkdir(parents=True, exist_ok=True)
    write_extracts(
        directory, seed=run.seed, children=run.children, as_of=run.as_of,
        chunk_size=run.chunk_size,
    )  # fmt: skip
    mapping = (directory / "mapping.toml").read_text(encoding="utf-8")
    loaded = {}
    for extract_type, partner_kind in SENDERS.items():
        loader = _loader(partner_kind)
        if loader is None:
            continue
        upload = ingest.upload_start(
            actor=loader,
            extract_type=extract_type,
            file_name=f"{extract_type}.csv",
            chunks=_blocks(directory / f"{extract_type}.csv"),
            bad_rows=BadRows.QUARANTINE,  # the synthetic extracts hold recording errors
            mapping_text=mapping,
            enqueue=False,
        )
        job_run(upload.job)
        loaded[extract_type] = ExtractUpload.objects.get(pk=upload.pk).rows_loaded
    job_run(linking.link_start(actor=analyst, enqueue=False))
    return DemoLinkage(directory, loaded, Flag.objects.filter(status="open").count())
