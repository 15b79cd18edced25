"""Bulk verify and approve from the queue: officers tick claims to verify them, supervisors to approve them;
each claim goes through the same command as its own button, with a result per claim (done, or refused with
the rule); one refusal never stops the others. Another office's claim is told as not registered, and the
attempt is audited."""

import re

import pytest

from beasiswa.model import ClaimRef
from builders import case, child, claim, participant
from web_support import database, page_token, signed_in, signing, web  # noqa: F401 - fixtures
from workflow_support import audit_rows, sby, state_of


def plg(number: int):
    return case(case_id=f"KC-PLG-2025-{number:06d}", children=(child(),), claims=(claim(),),
                participant=participant(name=f"Peserta {number}"))


CASES = ((plg(1), "ani"), (plg(2), "ani"), (plg(3), "ani"), (sby(plg(4)), "eko"))
REFS = [ClaimRef(a_case.case_id, "klaim-1") for a_case, _ in CASES]


@pytest.fixture
def three(web):
    """Three KC-PLG claims decided (approved) and one of KC-SBY, taken in (REFS)."""
    for a_case, as_ in CASES:
        assert web.workflow.take_in(as_, a_case, "test").refusal is None
    return web


def ticked(page: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="klaim" value="([^"]+)"', page)


def bulk(client, path: str, refs, **headers):
    return client.post(path, data={"klaim": [str(r) for r in refs], "csrf_token": page_token(client)},
                       headers=headers)


def test_an_officers_queue_has_a_checkbox_on_each_claim_they_may_verify(three):
    page = signed_in(three, "ani").get("/antrean").text
    assert ticked(page) == [str(r) for r in REFS[:3]]
    assert "Verifikasi yang dipilih" in page and 'action="/antrean/verifikasi"' in page


def test_a_supervisors_queue_ticks_only_what_someone_else_verified(three):
    three.workflow.verify("ani", [REFS[0]])
    three.workflow.verify("budi", [REFS[1]])
    page = signed_in(three, "budi").get("/antrean").text
    assert ticked(page) == [str(REFS[0])] and "Setujui yang dipilih" in page


def test_an_auditors_queue_has_no_checkboxes(three):
    page = signed_in(three, "gita").get("/antrean").text
    assert ticked(page) == [] and "yang dipilih" not in page


def test_an_officer_verifies_the_ticked_claims_with_a_result_for_each(three):
    client = signed_in(three, "ani")
    response = bulk(client, "/antrean/verifikasi", REFS[:2], referer="http://testserver/antrean?jenjang=SMA")
    assert response.status_code == 200
    assert "2 klaim: 2 berhasil, 0 ditolak" in response.text and response.text.count("diputuskan → diverifikasi") == 2
    assert 'href="/antrean?jenjang=SMA"' in response.text  # back to the queue as it was filtered
    assert [state_of(three.workflow, r)["state"] for r in REFS[:3]] == ["verified", "verified", "decided"]


def test_one_refusal_does_not_stop_the_others_and_names_its_rule(three):
    three.workflow.verify("ani", [REFS[0]])
    response = bulk(signed_in(three, "ani"), "/antrean/verifikasi", REFS[:2])
    assert response.status_code == 200 and "1 berhasil, 1 ditolak" in response.text
    assert "ditolak [STATE]: klaim KC-PLG-2025-000001/klaim-1 berstatus &#39;diverifikasi&#39;" in response.text
    assert state_of(three.workflow, REFS[1])["state"] == "verified"


def test_a_supervisor_approves_in_bulk_but_never_what_they_verified(three):
    three.workflow.verify("ani", [REFS[0]])
    three.workflow.verify("budi", [REFS[1]])
    response = bulk(signed_in(three, "budi"), "/antrean/setujui", REFS[:2])
    assert "1 berhasil, 1 ditolak" in response.text
    assert "diverifikasi → disetujui" in response.text and "ditolak [FOUR_EYES]" in response.text
    assert state_of(three.workflow, REFS[0])["state"] == "approved"
    assert state_of(three.workflow, REFS[1])["state"] == "verified"
    refused = [r for r in audit_rows(three.workflow, REFS[1]) if r["result"] == "refused"]
    assert refused[-1]["refusal_code"] == "FOUR_EYES"


def test_another_offices_claim_in_a_bulk_is_told_as_not_registered_and_audited(three):
    sby_ref = REFS[3]
    response = bulk(signed_in(three, "ani"), "/antrean/verifikasi", [REFS[0], sby_ref])
    assert "1 berhasil, 1 ditolak" in response.text
    assert f"ditolak [CLAIM_NOT_FOUND]: klaim {sby_ref} tidak terdaftar" in response.text
    assert "KC-SBY" not in response.text.replace(str(sby_ref), "")
    refused = [r for r in audit_rows(three.workflow, sby_ref) if r["result"] == "refused"]
    assert (refused[-1]["actor"], refused[-1]["refusal_code"]) == ("ani", "OFFICE")
    assert state_of(three.workflow, sby_ref)["state"] == "decided"


def test_an_htmx_bulk_gets_the_results_alone_and_tells_the_queue_to_refresh(three):
    response = bulk(signed_in(three, "ani"), "/antrean/verifikasi", REFS[:1],
                    **{"HX-Request": "true", "HX-Target": "massal"})
    assert response.status_code == 200 and response.text.startswith('<section class="card bulk-result">')
    assert response.headers["HX-Trigger"] == "antrean-berubah"


@pytest.mark.parametrize("refs, told", [
    ([], "klaim: belum ada klaim yang dipilih"),
    (["tanpa-garis-miring"], "klaim: &#39;tanpa-garis-miring&#39; is not CASE_ID/CLAIM_ID"),
])
def test_a_bulk_without_claims_or_with_one_that_is_not_a_reference_is_400_naming_it(three, refs, told):
    response = bulk(signed_in(three, "ani"), "/antrean/verifikasi", refs)
    assert response.status_code == 400 and told in response.text


def test_a_bulk_of_more_than_200_claims_is_refused_and_200_are_taken(three):
    client = signed_in(three, "ani")
    many = [ClaimRef("KC-PLG-2025-000001", f"k-{i}") for i in range(201)]
    response = bulk(client, "/antrean/verifikasi", many)
    assert response.status_code == 400 and "201 dipilih, paling banyak 200" in response.text
    response = bulk(client, "/antrean/verifikasi", many[:200])
    assert response.status_code == 200 and "0 berhasil, 200 ditolak" in response.text


def test_a_bulk_without_the_csrf_token_is_refused_and_nothing_changes(three):
    client = signed_in(three, "ani")
    response = client.post("/antrean/verifikasi", data={"klaim": [str(REFS[0])]})
    assert response.status_code == 403
    assert state_of(three.workflow, REFS[0])["state"] == "decided"


def test_an_officer_may_not_approve_in_bulk(three):
    assert bulk(signed_in(three, "ani"), "/antrean/setujui", REFS[:1]).status_code == 403
