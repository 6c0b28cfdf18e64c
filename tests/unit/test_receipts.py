"""Receipt codes: enough randomness, copy-friendly, forgiving to read, stored only as a hash."""

import math
import re

from cogs.reports import receipts


def test_codes_carry_at_least_80_random_bits_and_look_copyable():
    code = receipts.new_code()
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}", code)
    assert receipts.LENGTH * math.log2(len(receipts.ALPHABET)) >= 80
    assert len({receipts.new_code() for _ in range(2000)}) == 2000


def test_reading_forgives_case_spaces_dashes_and_look_alikes():
    code = "7K3M-Q9TX-2HWD-PZ4N-C8RF"
    digest = receipts.receipt_hash(code)
    assert len(digest) == 64
    for typed in (
        "7k3mq9tx2hwdpz4nc8rf",
        " 7K3M Q9TX 2HWD PZ4N C8RF\n",
        "7K3M-Q9TX-2HWD-PZ4N-C8RF",
    ):
        assert receipts.receipt_hash(typed) == digest
    assert receipts.receipt_hash("0O0O-1IL1-" + "0" * 12) == receipts.receipt_hash(
        "0" * 4 + "1" * 4 + "0" * 12
    )


def test_anything_else_is_not_a_code():
    for typed in (
        "",
        "#12",
        "7K3M-Q9TX",
        "7K3M-Q9TX-2HWD-PZ4N-C8RU",
        "u" * 20,
        "7K3M-Q9TX-2HWD-PZ4N-C8RF0",
    ):
        assert receipts.receipt_hash(typed) is None


def test_the_hash_does_not_contain_the_code():
    code = receipts.new_code()
    assert receipts.canonical(code) not in receipts.receipt_hash(code).upper()
