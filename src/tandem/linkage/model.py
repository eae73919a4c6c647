"""The Splink 5 model for children's records, the same on DuckDB and on Spark.

Each comparison level's label is the plain words a practitioner reads in an explanation
("date of birth day and month swapped"), so an explanation is the labels of the levels a pair
fell in, ordered by how much each moved the match weight.

Twins and same-name siblings: Splink adds up evidence as if fields were independent, so two
twins (same date of birth, surname and postcode) would outweigh their different first names and
merge. The "first names differ though date of birth and surname or postcode agree" level is
therefore a fixed rule, not a learned value: its weight (about -26 to -33) outweighs what the
other fields can add, except a shared NHS number or UPN. Siblings who share a first name are
parted the same way by a fixed weight on dates of birth a year or more apart.
"""

import math
from dataclasses import dataclass, field

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

TWIN_M, TWIN_U = 1e-10, 0.01  # log2(m/u) = -33.2
SIBLING_M = 1e-6  # dates of birth a year or more apart: about -20


def _level(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


def _null(col: str, label: str) -> cll.CustomLevel:
    return _level(f'"{col}_l" is null or "{col}_r" is null', label).configure(is_null_level=True)


def given_name() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="given_name",
        comparison_description="first name",
        comparison_levels=[
            _null("given_name", "first name missing on one side"),
            _level('"given_name_l" = "given_name_r"', "same first name").configure(
                tf_adjustment_column="given_name", tf_minimum_u_value=0.001, m_probability=0.85
            ),
            _level(
                '"given_canonical_l" = "given_canonical_r"', "first name and its short form"
            ).configure(m_probability=0.06),
            cll.Or(
                cll.DamerauLevenshteinLevel("given_name", 1),
                cll.JaroWinklerLevel("given_name", 0.92),
            ).configure(label_for_charts="first name differs by one letter", m_probability=0.05),
            _level(
                '(length("given_name_l") = 1 and "given_name_l" = substr("given_name_r", 1, 1)) '
                'or (length("given_name_r") = 1 '
                'and "given_name_r" = substr("given_name_l", 1, 1))',
                "initial matches the first name",
            ).configure(m_probability=0.01),  # police initials: rarely trainable
            _level(
                '"dob_l" = "dob_r" and ("family_name_l" = "family_name_r" '
                'or "postcode_l" = "postcode_r")',
                "first names differ though date of birth and surname or postcode agree "
                "(twins or siblings)",
            ).configure(
                m_probability=TWIN_M,
                u_probability=TWIN_U,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
            cll.ElseLevel().configure(label_for_charts="first names differ", m_probability=0.02),
        ],
    )


def family_name() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="family_name",
        comparison_description="surname",
        comparison_levels=[
            _null("family_name", "surname missing on one side"),
            _level('"family_name_l" = "family_name_r"', "same surname").configure(
                tf_adjustment_column="family_name", tf_minimum_u_value=0.001, m_probability=0.85
            ),
            _level(
                '"family_first_l" in ("family_first_r", "family_last_r") '
                'or "family_last_l" in ("family_first_r", "family_last_r")',
                "one surname is part of the other (hyphenated or double-barrelled)",
            ).configure(m_probability=0.04),
            cll.Or(
                cll.DamerauLevenshteinLevel("family_name", 1),
                cll.JaroWinklerLevel("family_name", 0.92),
            ).configure(label_for_charts="surname differs by one letter", m_probability=0.05),
            cll.JaroWinklerLevel("family_name", 0.8).configure(
                label_for_charts="surnames similar", m_probability=0.01
            ),
            cll.ElseLevel().configure(label_for_charts="surnames differ", m_probability=0.05),
        ],
    )


def date_of_birth() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="date of birth",
        comparison_levels=[
            _null("dob", "date of birth missing on one side"),
            _level('"dob_l" = "dob_r"', "same date of birth").configure(m_probability=0.9),
            _level(
                'substr("dob_l", 1, 4) = substr("dob_r", 1, 4) '
                'and substr("dob_l", 6, 2) = substr("dob_r", 9, 2) '
                'and substr("dob_l", 9, 2) = substr("dob_r", 6, 2)',
                "date of birth day and month swapped",
            ).configure(m_probability=0.03),
            cll.DamerauLevenshteinLevel("dob", 1).configure(
                label_for_charts="date of birth differs by one digit", m_probability=0.02
            ),
            _level(
                'substr("dob_l", 1, 4) = substr("dob_r", 1, 4) and '
                "(substr(\"dob_l\", 6, 5) = '01-01' or substr(\"dob_r\", 6, 5) = '01-01')",
                "same year of birth, one date estimated (1 January)",
            ).configure(m_probability=0.02),
            cll.AbsoluteDateDifferenceLevel(
                "dob", input_is_string=True, threshold=1, metric="year"
            ).configure(
                label_for_charts="dates of birth differ by less than a year", m_probability=0.03
            ),
            # Siblings with one name (and cousins) are born years apart; one child's records
            # almost never are (a slip in one digit of the year is the level above). A rule,
            # like the twins level: learned from the data, it stays too weak to part them.
            cll.ElseLevel().configure(
                label_for_charts="dates of birth a year or more apart",
                m_probability=SIBLING_M,
                fix_m_probability=True,
            ),
        ],
    )


def postcode() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_description="postcode",
        comparison_levels=[
            _null("postcode", "postcode missing on one side"),
            _level('"postcode_l" = "postcode_r"', "same postcode").configure(
                tf_adjustment_column="postcode", tf_minimum_u_value=0.0001, m_probability=0.85
            ),
            _level(
                "split_part(\"postcode_l\", ' ', 1) = split_part(\"postcode_r\", ' ', 1)",
                "same postcode district",
            ).configure(m_probability=0.03),
            cll.ElseLevel().configure(label_for_charts="postcodes differ", m_probability=0.12),
        ],
    )


def _identifier(col: str, words: str, slip: float) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=col,
        comparison_description=words,
        comparison_levels=[
            _null(col, f"{words} missing on one side"),
            _level(f'"{col}_l" = "{col}_r"', f"same {words}").configure(m_probability=1 - slip),
            cll.ElseLevel().configure(label_for_charts=f"{words}s differ", m_probability=slip),
        ],
    )


def comparisons() -> list:
    return [
        given_name(),
        family_name(),
        date_of_birth(),
        postcode(),
        _identifier("sex", "sex", 0.02),
        _identifier("nhs_number", "NHS number", 0.005),
        _identifier("upn", "UPN", 0.005),
    ]


def blocking_rules() -> list:
    """Pairs worth scoring: any one of these agrees. Strong identifiers first."""
    return [
        block_on("nhs_number"),
        block_on("upn"),
        block_on("given_canonical", "family_name"),
        block_on("dob", "family_first"),
        block_on("dob", "given_canonical"),
        block_on("dob", "postcode"),
        block_on("postcode", "given_canonical"),
    ]


def describe_rule(rule) -> str:
    return rule.get_blocking_rule("duckdb").blocking_rule_sql


def settings(link_type: str = "dedupe_only", sources: int = 1) -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type if sources > 1 or link_type == "dedupe_only" else "dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=["record_id"],
        probability_two_random_records_match=1e-4,
    )


@dataclass
class Training:
    """What training did, for the report."""

    prior: float = 0.0
    steps: list[str] = field(default_factory=list)


MIN_EM_RECORDS = 1000  # below this, EM's estimates are noise: keep the starting m values


def train(linker, records: int, *, seed: int = 1, chunks: int = 10) -> Training:
    """Unsupervised: the prior from deterministic rules, u from random pairs, m by EM in four
    sessions (each session cannot train the fields it blocks on). Every level starts from a
    stated m value (what a child's records usually look like), which small files keep."""
    done = Training()
    try:
        linker.training.estimate_probability_two_random_records_match(
            [
                block_on("nhs_number"),
                block_on("upn"),
                block_on("given_name", "family_name", "dob"),
            ],
            recall=0.7,
        )
        done.steps.append("prior from same NHS number, same UPN, or same names and birth date")
    except (ValueError, ZeroDivisionError):
        # Nothing agreed exactly (tiny files): keep one expected match per record.
        done.steps.append("prior set to one match per record (no exact agreements to learn from)")
    prior = linker._settings_obj._probability_two_random_records_match
    if not prior or prior <= 0 or prior >= 1 or math.isnan(prior):
        linker._settings_obj._probability_two_random_records_match = min(0.5, 1 / max(records, 2))
    done.prior = linker._settings_obj._probability_two_random_records_match
    max_pairs = min(5e5, records * (records - 1) / 2)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=max_pairs, seed=seed, num_chunks=chunks, min_count_per_level=50
    )
    done.steps.append(f"u from up to {max_pairs:,.0f} random pairs")
    if records < MIN_EM_RECORDS:
        done.steps.append(f"m kept at its starting values (fewer than {MIN_EM_RECORDS:,} records)")
        return done
    sample = min(1.0, math.sqrt(4e5 / max(records, 1)))
    # The first-name comparison reads dates of birth, surnames and postcodes (the twins
    # level), so only sessions blocked on identifiers can train it. (One session on "NHS number
    # or UPN" would be a nested-loop join: two hash joins are far quicker.)
    for rule in (
        block_on("dob"),
        block_on("given_canonical", "family_name"),
        block_on("nhs_number"),
        block_on("upn"),
    ):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule,
                estimate_without_term_frequencies=True,
                record_sample_proportion=sample,
            )
        except (ValueError, ZeroDivisionError):  # no pairs (e.g. no partner records UPNs)
            done.steps.append(f"no pairs to learn from with {describe_rule(rule)}")
            continue
        done.steps.append(f"m by expectation maximisation on pairs with {describe_rule(rule)}")
    return done
