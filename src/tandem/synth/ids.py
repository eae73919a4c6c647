"""Identifiers for synthetic rows, vectorised: UUIDs, NHS numbers and unique pupil numbers.

The check digit rules are those of `tandem.people.identifiers`; the tests check every number
generated here against that module.
"""

import numpy as np

from tandem.people.identifiers import UPN_LETTERS

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_NHS_WEIGHTS = np.arange(10, 1, -1)
_UPN_LETTER_VALUES = {ch: i for i, ch in enumerate(UPN_LETTERS)}

# The space of synthetic NHS numbers: the first digit is 9 (a range never issued to patients),
# then seven digits that are a bijection of a person's index, then one digit chosen so that the
# check digit exists. Children and adults take disjoint halves of the index space.
NHS_INDEX_SPACE = 10**7
NHS_ADULT_OFFSET = 4 * 10**6
# UPNs are laid out as the DfE's are: check letter, local authority number, four-digit
# establishment number, the last two digits of the academic year the number was allocated, three
# digits. The authority is the one whose postcodes the synthetic placements use (Richmond upon
# Thames, E09000027, number 318), so the census's LA-number rule (1530) holds; the year digits
# are always 90, and UPNs began in 1999, so no synthetic UPN can be one a real pupil was given.
# The other seven digits are a bijection of the child's index.
UPN_LA = "318"
UPN_YEAR = "90"
UPN_INDEX_SPACE = 10**7


def hex_strings(values: np.ndarray) -> list[str]:
    """Rows of 16 bytes -> 32-character lowercase hex strings (Django's UUID form on SQLite)."""
    b = np.ascontiguousarray(values, dtype=np.uint8)
    chars = np.empty((len(b), 32), dtype=np.uint8)
    chars[:, 0::2] = _HEX[b >> 4]
    chars[:, 1::2] = _HEX[b & 15]
    text = chars.tobytes().decode("ascii")
    return [text[i : i + 32] for i in range(0, len(text), 32)]


def uuids(
    rng: np.random.Generator, n: int, *, table: int, chunk: int, start: int = 0
) -> list[str]:
    # `table` is a 16-bit prefix: callers derive it from the seed and the table.
    """n UUIDs (version 8, "custom") that sort in the order they are made, so that they append
    to the primary-key index instead of landing at random in it.

    Layout: 16 bits fixed per seed and table, 8 bits chunk, 24 bits row number in the chunk,
    the version, then 76 random bits from the seeded generator."""
    if chunk >= 256 or start + n >= 2**24:
        raise ValueError("Too many rows for one chunk")
    b = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    row = np.arange(start, start + n, dtype=">u4").view(np.uint8).reshape(n, 4)
    b[:, 0:2] = np.frombuffer(table.to_bytes(2, "big"), dtype=np.uint8)
    b[:, 2] = chunk
    b[:, 3:6] = row[:, 1:]
    b[:, 6] = (b[:, 6] & 0x0F) | 0x80  # version 8
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    return hex_strings(b)


def scramble(index: np.ndarray, digits: int, seed: int) -> np.ndarray:
    """A seeded bijection of 0..10**digits-1 that does not look like a sequence: an affine map
    (multiplier coprime to 10), the digits reversed, and a second affine map."""
    space = 10**digits
    x = (index.astype(np.int64) * 7_654_321 + seed * 2_654_435_761) % space
    reversed_ = np.zeros_like(x)
    for _ in range(digits):
        reversed_ = reversed_ * 10 + x % 10
        x //= 10
    return (reversed_ * 123_456_791 + seed * 40_503 + 12_345) % space


def nhs_numbers(index: np.ndarray, seed: int) -> np.ndarray:
    """Distinct valid NHS numbers for distinct indexes (0 <= index < NHS_INDEX_SPACE)."""
    if len(index) and (index.min() < 0 or index.max() >= NHS_INDEX_SPACE):
        raise ValueError("NHS number index out of range")
    body = 9 * 10**7 + scramble(index, 7, seed)
    digits = (body[:, None] // 10 ** np.arange(7, -1, -1)) % 10  # the first eight digits
    partial = digits @ _NHS_WEIGHTS[:8]
    # The ninth digit (weight 2): start from a pseudo-random one, move on if no check digit fits.
    ninth = (body * 7 + 3) % 10
    for _ in range(2):
        check = 11 - (partial + 2 * ninth) % 11
        bad = check == 10
        ninth = np.where(bad, (ninth + 1) % 10, ninth)
    check = (11 - (partial + 2 * ninth) % 11) % 11
    number = (body * 10 + ninth) * 10 + check
    return number.astype("U10")


def upns(index: np.ndarray, seed: int) -> np.ndarray:
    """Distinct valid unique pupil numbers for distinct indexes (0 <= index < UPN_INDEX_SPACE)."""
    if len(index) and (index.min() < 0 or index.max() >= UPN_INDEX_SPACE):
        raise ValueError("UPN index out of range")
    serial = scramble(index, 7, seed)
    establishment = np.char.zfill((serial // 1000).astype("U4"), 4)
    last_three = np.char.zfill((serial % 1000).astype("U3"), 3)
    tail = np.char.add(np.char.add(UPN_LA, establishment), np.char.add(UPN_YEAR, last_three))
    digits = tail.view(np.uint32).reshape(-1, 12) - ord("0")
    total = digits @ np.arange(2, 14)
    letters = np.array(list(UPN_LETTERS))[total % len(UPN_LETTERS)]
    return np.char.add(letters, tail)
