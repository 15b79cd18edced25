"""A claim as officers name it, CASE_ID/CLAIM_ID: the one key the workflow's and the letters' commands read."""

import pytest

from beasiswa.model import ClaimRef


def test_a_claim_is_read_as_case_then_claim():
    assert ClaimRef.parse("KC-PLG-2025-000123/klaim-1") == ClaimRef("KC-PLG-2025-000123", "klaim-1")
    with pytest.raises(ValueError, match="is not CASE_ID/CLAIM_ID"):
        ClaimRef.parse("KC-PLG-2025-000123/")


def test_a_claim_is_written_as_it_is_read_and_the_error_names_the_field_given():
    assert str(ClaimRef.parse(" KC-PLG-2025-000123 / klaim/1 ")) == "KC-PLG-2025-000123/klaim/1"
    with pytest.raises(ValueError, match=r"^claim: 'klaim-1' is not CASE_ID/CLAIM_ID"):
        ClaimRef.parse("klaim-1")
    with pytest.raises(ValueError, match=r"^--claim: 'klaim-1' is not CASE_ID/CLAIM_ID"):
        ClaimRef.parse("klaim-1", "--claim")
