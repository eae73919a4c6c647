"""bench/RESULTS.md: each benchmark adds its figures at the end of its own section, so the file
reads by topic however the runs interleave."""

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def record(heading: str, block: str) -> None:
    """Add `block` at the end of the section `heading` ("## …"), making the section if missing."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    block = block.strip("\n") + "\n"
    start = text.find(f"\n{heading}\n")
    if start == -1:
        RESULTS.write_text(text.rstrip("\n") + f"\n\n{heading}\n\n{block}")
        return
    end = text.find("\n## ", start + 1)
    end = len(text) if end == -1 else end + 1
    head, tail = text[:end].rstrip("\n"), text[end:]
    RESULTS.write_text(head + "\n\n" + block + ("\n" + tail if tail else ""))
