"""Klaim: one claim with everything about it, and the actions the user may take on it now as buttons. Each
button's route runs the workflow's command as the session's user; the service checks role, office, state and
four eyes again, and a refusal is shown on the page naming the rule, audited as every refusal is. Another
office's claim by its address is a 404, and the attempt is in the audit trail."""

import re

import pytest

from beasiswa.letters.register import LetterRegister
from beasiswa.model import ClaimRef
from builders import case, claim, participant
from web_support import database, page_token, signed_in, signing, web  # noqa: F401 - fixtures
from workflow_support import audit_rows, sby, state_of

import datetime as dt

PLG = case()
REF = ClaimRef(PLG.case_id, "klaim-1")
PAGE = f"/klaim/{REF.case_id}/{REF.claim_id}"


def take(web, a_case=PLG, as_="ani") -> ClaimRef:
    result = web.workflow.take_in(as_, a_case, "test")
    assert result.refusal is None, result.refusal
    return ClaimRef(a_case.case_id, a_case.claims[0].id)


def page_of(ref: ClaimRef) -> str:
    return f"/klaim/{ref.case_id}/{ref.claim_id}"


def post(client, path: str, data: dict | None = None, **headers):
    return client.post(path, data={**(data or {}), "csrf_token": page_token(client)}, headers=headers)


def buttons(page: str) -> list[str]:
    return re.findall(r'<form method="post" action="/klaim/[^"]+/([a-z-]+)" class="action', page)


def last_refusal(web, ref: ClaimRef) -> dict:
    return [r for r in audit_rows(web.workflow, ref) if r["result"] == "refused"][-1]


@pytest.fixture
def taken(web):
    take(web)
    return web


# ------------------------------------------------------------------------------------------- the page
def test_the_claim_page_shows_the_case_the_child_the_decision_every_rule_and_its_citation(taken):
    page = signed_in(taken, "ani").get(PAGE).text
    assert "Klaim <span class=\"id\">KC-PLG-2025-000123/klaim-1</span>" in page
    assert "Siti Aminah" in page and "Budi Santoso" in page and "KPJ 12345678901" in page
    assert '<span class="outcome o-approved">disetujui</span>' in page and "Rp3.000.000,00" in page
    assert '<td class="rule">documents_<wbr>are_<wbr>complete</td>' in page  # breaks at its underscores
    assert "Permenaker 5/2021 sebagaimana diubah Permenaker 1/2025, persyaratan pengajuan pertama" in page
    assert "sejak 1 Agustus 2025" in page and "kantor KC-PLG" in page


def test_the_claim_page_names_the_interpretations_the_decision_rests_on(taken):
    page = signed_in(taken, "ani").get(PAGE).text
    assert "Interpretasi yang menjadi dasar" in page
    readings = re.findall(r"<dt>([IPL]\d+) · ", page)
    assert readings[:3] == ["I4", "I5", "I6"] and "P3" in readings and len(readings) == len(set(readings))
    assert "Beasiswa diberikan mulai tahun ajaran yang sedang berjalan pada tanggal peristiwa." in page  # Indonesian


def test_the_documents_checklist_shows_each_document_on_the_claim_and_when_it_is_needed(taken):
    page = signed_in(taken, "ani").get(PAGE).text
    assert "pengajuan pertama: 6 dokumen diperlukan, 6 ada" in page
    row = re.search(r"<td>rapor atau transkrip nilai terakhir</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td><td>(.*?)</td>",
                    page)
    assert "ada" in row[1] and row[2] == "wajib" and row[3] == "wajib"
    guardian = re.search(r"<td>KTP wali</td>", page)
    assert guardian is None  # neither on the claim nor needed for a child paid to their own account


def test_the_claim_page_shows_the_audit_trail_of_the_claim(taken):
    page = signed_in(taken, "ani").get(PAGE).text
    assert re.search(r'<td class="change">[^<]*state=decided', page)
    assert "intake" in page


def test_an_approved_and_paid_claim_shows_its_payout_and_its_letter(taken):
    w = taken.workflow
    assert w.verify("ani", [REF])[0].ok and w.approve("budi", [REF])[0].ok and w.pay("budi", [REF])[0].ok
    LetterRegister(w.engine, issuers={"KC-PLG": "budi"}).number(REF, dt.date(2025, 8, 27))
    page = signed_in(taken, "gita").get(PAGE).text
    assert "Belum ada pembayaran" not in page and "ani / budi" in page
    assert re.search(r'<td class="num">1</td><td>2025/2026 SMA</td><td class="num">Rp3.000.000,00</td>', page)
    assert "Belum ada surat" not in page and "penetapan" in page and "(PDF belum dibuat)" in page


def test_an_unknown_claim_is_a_404(taken):
    assert signed_in(taken, "ani").get("/klaim/KC-PLG-2025-000123/klaim-9").status_code == 404


# ------------------------------------------------------------------------------------------- buttons
def test_the_buttons_are_the_actions_the_user_may_take_now(taken):
    assert buttons(signed_in(taken, "ani").get(PAGE).text) == ["verifikasi", "kembalikan", "ubah-putusan"]
    assert buttons(signed_in(taken, "budi").get(PAGE).text) == ["verifikasi"]  # in an officer's stead
    auditor = signed_in(taken, "gita").get(PAGE).text
    assert buttons(auditor) == [] and "Tidak ada tindakan yang dapat Anda lakukan" in auditor
    taken.workflow.verify("ani", [REF])
    assert buttons(signed_in(taken, "budi").get(PAGE).text) == ["setujui"]
    assert buttons(signed_in(taken, "ani").get(PAGE).text) == []


def test_four_eyes_the_supervisor_who_verified_is_shown_no_approve_button(taken):
    taken.workflow.verify("budi", [REF])
    assert buttons(signed_in(taken, "budi").get(PAGE).text) == []
    assert buttons(signed_in(taken, "citra").get(PAGE).text) == ["setujui"]


# ------------------------------------------------------------------------------------------- actions
def test_an_officer_verifies_from_the_claim_page_and_is_sent_back_to_it(taken):
    client = signed_in(taken, "ani")
    response = post(client, f"{PAGE}/verifikasi")
    assert response.status_code == 303 and response.headers["location"] == f"{PAGE}?pesan=verifikasi"
    assert state_of(taken.workflow, REF)["state"] == "verified"
    assert "Klaim sudah diverifikasi" in client.get(response.headers["location"]).text
    assert audit_rows(taken.workflow, REF)[-1]["action"] == "verify"


def test_a_supervisor_approves_with_htmx_and_gets_the_claims_part_with_the_notice(taken):
    taken.workflow.verify("ani", [REF])
    response = post(signed_in(taken, "budi"), f"{PAGE}/setujui", **{"HX-Request": "true", "HX-Target": "klaim"})
    assert response.status_code == 200 and response.text.startswith('<div id="klaim"')
    assert "Klaim sudah disetujui." in response.text and "<html" not in response.text
    assert state_of(taken.workflow, REF)["approved_by"] == "budi"


def test_the_officer_who_verified_may_not_approve_four_eyes_and_the_page_names_the_rule(taken):
    taken.workflow.verify("budi", [REF])
    response = post(signed_in(taken, "budi"), f"{PAGE}/setujui")
    assert response.status_code == 409
    assert "Tidak dapat menyetujui</strong> [FOUR_EYES]" in response.text
    assert "empat mata, dua orang yang berbeda" in response.text
    assert state_of(taken.workflow, REF)["state"] == "verified"
    refused = last_refusal(taken, REF)
    assert (refused["actor"], refused["action"], refused["refusal_code"]) == ("budi", "approve", "FOUR_EYES")


def test_an_action_the_claims_state_does_not_allow_is_409_naming_the_state(taken):
    client = signed_in(taken, "ani")
    post(client, f"{PAGE}/verifikasi")
    response = post(client, f"{PAGE}/verifikasi")
    assert response.status_code == 409
    assert "[STATE]" in response.text and "berstatus &#39;diverifikasi&#39;" in response.text
    assert last_refusal(taken, REF)["refusal_code"] == "STATE"


def test_a_refusal_in_an_htmx_request_comes_back_in_the_claims_part(taken):
    taken.workflow.verify("ani", [REF])
    response = post(signed_in(taken, "ani"), f"{PAGE}/verifikasi", **{"HX-Request": "true", "HX-Target": "klaim"})
    assert response.status_code == 409 and response.text.startswith('<div id="klaim"')
    assert 'role="alert"' in response.text


def test_an_auditor_reads_the_claim_but_its_routes_refuse_every_change(taken):
    client = signed_in(taken, "gita")
    assert client.get(PAGE).status_code == 200
    assert post(client, f"{PAGE}/verifikasi").status_code == 403
    assert state_of(taken.workflow, REF)["state"] == "decided"


def test_an_action_without_the_csrf_token_is_refused_and_nothing_changes(taken):
    client = signed_in(taken, "ani")
    response = client.post(f"{PAGE}/verifikasi", data={"csrf_token": "0" * 64})
    assert response.status_code == 403 and "token keamanan formulir (CSRF)" in response.text
    assert state_of(taken.workflow, REF)["state"] == "decided"


def test_return_takes_the_missing_documents_off_and_the_rules_return_the_claim(taken):
    response = post(signed_in(taken, "ani"), f"{PAGE}/kembalikan", {"dokumen": ["report_card"]})
    assert response.status_code == 303
    row = state_of(taken.workflow, REF)
    assert row["state"] == "returned" and "report_card" not in row["documents"]


def test_return_without_a_document_named_is_refused_400_and_audited(taken):
    response = post(signed_in(taken, "ani"), f"{PAGE}/kembalikan")
    assert response.status_code == 400 and "[DOCUMENTS]" in response.text
    assert last_refusal(taken, REF)["refusal_code"] == "DOCUMENTS"


def test_a_document_that_is_not_one_is_refused_400_naming_the_field_and_the_value(taken):
    response = post(signed_in(taken, "ani"), f"{PAGE}/kembalikan", {"dokumen": ["surat_sakti"]})
    assert response.status_code == 400
    assert "dokumen: &#39;surat_sakti&#39; bukan dokumen (claim_form" in response.text
    assert state_of(taken.workflow, REF)["state"] == "decided"


def test_resubmit_with_the_documents_brought_decides_the_claim_again(taken):
    client = signed_in(taken, "ani")
    post(client, f"{PAGE}/kembalikan", {"dokumen": ["report_card"]})
    assert buttons(client.get(PAGE).text) == ["ajukan-ulang"]
    response = post(client, f"{PAGE}/ajukan-ulang", {"dokumen": ["report_card"], "tanggal": "2025-08-05"})
    assert response.status_code == 303
    row = state_of(taken.workflow, REF)
    assert row["state"] == "decided" and row["outcome"] == "approved" and row["decision_revision"] == 3


def test_resubmit_with_a_date_that_is_not_one_is_400_naming_it(taken):
    post(signed_in(taken, "ani"), f"{PAGE}/kembalikan", {"dokumen": ["report_card"]})
    response = post(signed_in(taken, "ani"), f"{PAGE}/ajukan-ulang", {"dokumen": ["report_card"], "tanggal": "5/8"})
    assert response.status_code == 400 and "tanggal: &#39;5/8&#39; bukan tanggal (YYYY-MM-DD)" in response.text


def test_an_override_with_a_written_reason_goes_to_a_supervisor(taken):
    response = post(signed_in(taken, "ani"), f"{PAGE}/ubah-putusan",
                    {"hasil": "rejected", "kode": "EMPLOYED", "alasan": "Anak sudah bekerja tetap sejak Juli."})
    assert response.status_code == 303
    row = state_of(taken.workflow, REF)
    assert (row["state"], row["outcome"], row["overridden_by"]) == ("verified", "rejected", "ani")
    assert buttons(signed_in(taken, "budi").get(PAGE).text) == ["setujui"]
    assert "Setujui penolakan" in signed_in(taken, "budi").get(PAGE).text


def test_an_override_without_a_reason_is_refused_400_and_audited(taken):
    response = post(signed_in(taken, "ani"), f"{PAGE}/ubah-putusan", {"hasil": "rejected", "kode": "EMPLOYED",
                                                                      "alasan": "  "})
    assert response.status_code == 400 and "[OVERRIDE_REASON]" in response.text
    assert last_refusal(taken, REF)["refusal_code"] == "OVERRIDE_REASON"


def test_an_override_to_an_outcome_that_is_not_one_is_400_naming_it(taken):
    response = post(signed_in(taken, "ani"), f"{PAGE}/ubah-putusan", {"hasil": "mungkin", "alasan": "x"})
    assert response.status_code == 400 and "hasil: &#39;mungkin&#39; bukan hasil keputusan" in response.text


def test_a_supervisor_pays_an_approved_claim_and_the_payout_shows(taken):
    taken.workflow.verify("ani", [REF])
    taken.workflow.approve("budi", [REF])
    client = signed_in(taken, "budi")
    assert buttons(client.get(PAGE).text) == ["bayar"]
    assert post(client, f"{PAGE}/bayar").status_code == 303
    assert state_of(taken.workflow, REF)["state"] == "paid"
    assert "Belum ada pembayaran" not in client.get(PAGE).text


def test_an_appeal_is_recorded_once_and_reconsidered(web):
    ref = take(web, case(claims=(claim(level="S2"),)))
    client = signed_in(web, "ani")
    assert buttons(client.get(page_of(ref)).text) == ["ubah-putusan", "peninjauan-kembali"]
    assert post(client, f"{page_of(ref)}/peninjauan-kembali", {"alasan": "Keluarga minta ditinjau."}).status_code == 303
    assert state_of(web.workflow, ref)["state"] == "appealed"
    assert buttons(client.get(page_of(ref)).text) == ["ubah-putusan", "putus-ulang"]
    assert post(client, f"{page_of(ref)}/putus-ulang").status_code == 303
    assert state_of(web.workflow, ref)["state"] == "rejected"  # S2 is still not covered
    assert "peninjauan-kembali" not in buttons(client.get(page_of(ref)).text)  # once per claim
    response = post(client, f"{page_of(ref)}/peninjauan-kembali", {"alasan": "Lagi."})
    assert response.status_code == 409 and "[APPEAL_ONCE]" in response.text


def test_recording_the_arrears_settled_decides_the_deferred_claim_again(web):
    ref = take(web, case(participant=participant(arrears_months=9)))
    client = signed_in(web, "budi")
    assert state_of(web.workflow, ref)["state"] == "pending"
    assert buttons(client.get(page_of(ref)).text) == ["tunggakan"]
    assert post(client, f"{page_of(ref)}/tunggakan", {"bulan": "0"}).status_code == 303
    assert state_of(web.workflow, ref)["state"] == "decided"


@pytest.mark.parametrize("months, told", [("-1", "bulan: -1 di luar 0 sampai 1200"),
                                           ("1201", "bulan: 1201 di luar 0 sampai 1200"),
                                           ("dua", "bulan: &#39;dua&#39; bukan bilangan bulat")])
def test_arrears_that_are_not_a_number_of_months_are_400_naming_the_field(web, months, told):
    ref = take(web, case(participant=participant(arrears_months=9)))
    response = post(signed_in(web, "budi"), f"{page_of(ref)}/tunggakan", {"bulan": months})
    assert response.status_code == 400 and told in response.text
    assert state_of(web.workflow, ref)["state"] == "pending"


def test_arrears_of_1200_months_the_most_a_case_holds_are_recorded(web):
    ref = take(web, case(participant=participant(arrears_months=9)))
    assert post(signed_in(web, "budi"), f"{page_of(ref)}/tunggakan", {"bulan": "1200"}).status_code == 303
    assert state_of(web.workflow, ref)["state"] == "pending"


# ------------------------------------------------------------------------------------------- other office
def test_another_offices_claim_by_its_address_is_a_404_and_the_attempt_is_audited(web):
    ref = take(web, sby(PLG), as_="eko")
    for who in ("ani", "budi"):
        response = signed_in(web, who).get(page_of(ref))
        assert response.status_code == 404 and "Halaman tidak ditemukan" in response.text
        refused = last_refusal(web, ref)
        assert (refused["actor"], refused["action"], refused["refusal_code"]) == (who, "read", "OFFICE")
        assert "milik kantor KC-SBY" in refused["refusal_message"]
    assert signed_in(web, "fajar").get(page_of(ref)).status_code == 200
    assert signed_in(web, "gita").get(page_of(ref)).status_code == 200  # the auditor reads every office


def test_an_action_on_another_offices_claim_is_a_404_audited_and_nothing_changes(web):
    ref = take(web, sby(PLG), as_="eko")
    response = post(signed_in(web, "ani"), f"{page_of(ref)}/verifikasi")
    assert response.status_code == 404
    refused = last_refusal(web, ref)
    assert (refused["actor"], refused["action"], refused["refusal_code"]) == ("ani", "verify", "OFFICE")
    assert state_of(web.workflow, ref)["state"] == "decided"
