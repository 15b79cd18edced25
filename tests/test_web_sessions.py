"""Sessions in the browser: the cookie, a new session at every sign-in (no fixation), the idle limit read on the
application's clock, the lockout told as a failure is (no name is revealed), a deactivated user's cookie
refused at once, a one-time password confining the session to changing it, signing out."""

import httpx
from sqlalchemy import select

from beasiswa.auth import LIMITS
from beasiswa.db.user_tables import sessions
from auth_support import auth_rows
from web_support import (ONE_TIME, PASSWORD, database, limited_user, make_web, sign_in, signed_in,  # noqa: F401
                         signing, page_token, web)

COOKIE = "beasiswa_sesi"


def set_cookie_headers(response) -> list[str]:
    return response.headers.get_list("set-cookie")


# ------------------------------------------------------------------------------------------- the cookie
def test_signing_in_sets_an_http_only_same_site_strict_cookie_and_goes_to_beranda(web):
    client = web.browser()
    response = sign_in(client, "ani")
    assert response.status_code == 303 and response.headers["location"] == "/"
    [cookie] = [c for c in set_cookie_headers(response) if c.startswith(f"{COOKIE}=")]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie and "expires" not in cookie.lower()
    assert "Beranda" in client.get("/").text


def test_behind_https_the_cookies_are_secure_and_host_only(signing):
    client = make_web(signing, secure_cookies=True).browser(https=True)
    form = client.get("/masuk")
    assert any(c.startswith("__Host-beasiswa_pra=") and "Secure" in c for c in set_cookie_headers(form))
    response = sign_in(client, "ani")
    [cookie] = [c for c in set_cookie_headers(response) if c.startswith(f"__Host-{COOKIE}=")]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/").status_code == 200


def test_the_cookie_holds_the_secret_and_the_database_only_its_hash(web):
    client = signed_in(web, "ani")
    secret = client.cookies[COOKIE]
    with web.workflow.engine.connect() as conn:
        hashes = conn.execute(select(sessions.c.secret_hash)).scalars().all()
    assert secret not in hashes and len(hashes) == 1


# ------------------------------------------------------------------------------------------- fixation
def test_signing_in_gives_a_new_session_and_ends_the_one_the_browser_held(web):
    client = signed_in(web, "ani")
    before, jar = client.cookies[COOKIE], httpx.Cookies(client.cookies)
    response = sign_in(client, "ani")
    assert response.status_code == 303
    assert client.cookies[COOKIE] != before
    stale = web.browser()
    stale.cookies = jar
    assert stale.get("/").headers["location"] == "/masuk?sebab=diakhiri"


def test_a_session_planted_by_someone_else_is_worth_nothing_once_the_victim_signs_in(web):
    attacker = signed_in(web, "eko")
    planted = attacker.cookies[COOKIE]
    victim = web.browser()
    victim.cookies = httpx.Cookies(attacker.cookies)
    assert sign_in(victim, "ani").status_code == 303
    assert victim.cookies[COOKIE] != planted
    assert victim.get("/").status_code == 200 and "ani" in victim.get("/").text
    assert attacker.get("/").headers["location"] == "/masuk?sebab=diakhiri"  # the planted session was ended


# ------------------------------------------------------------------------------------------- expiry
def test_a_session_unused_for_30_minutes_sends_the_browser_to_sign_in_again(web):
    client = signed_in(web, "ani")
    web.clock.move(minutes=29, seconds=59)
    assert client.get("/").status_code == 200
    web.clock.move(minutes=30)
    response = client.get("/antrean")
    assert response.status_code == 303 and response.headers["location"] == "/masuk?sebab=berakhir"
    assert any(c.startswith(f'{COOKIE}=""') for c in set_cookie_headers(response))  # the stale cookie dropped
    notice = web.browser().get("/masuk?sebab=berakhir").text
    assert f"tidak dipakai {int(LIMITS.idle.total_seconds() // 60)} menit" in notice


def test_a_session_in_use_ends_12_hours_after_sign_in(web):
    client = signed_in(web, "ani")
    for _ in range(12 * 3 - 1):
        web.clock.move(minutes=20)
        assert client.get("/").status_code == 200
    web.clock.move(minutes=20)
    assert client.get("/").headers["location"] == "/masuk?sebab=berakhir"


# ------------------------------------------------------------------------------------------- lockout
def test_a_lockout_reads_as_a_failure_does_so_no_name_is_revealed(web):
    client = web.browser()
    unknown = sign_in(client, "tidak-ada", "salah-salah-salah")
    assert unknown.status_code == 400
    message = _error(unknown.text)
    assert "Nama pengguna atau kata sandi salah" in message and "terkunci selama 15 menit" in message
    for attempt in range(LIMITS.max_failures):
        refused = sign_in(client, "ani", "salah-salah-salah")
        assert (refused.status_code, _error(refused.text)) == (400, message), attempt
    locked = sign_in(client, "ani", PASSWORD)  # the right password, while locked
    assert (locked.status_code, _error(locked.text)) == (400, message)
    web.clock.move(minutes=15)
    assert sign_in(client, "ani", PASSWORD).status_code == 303


def _error(page: str) -> str:
    start = page.index('<p class="error" role="alert">')
    return page[start:page.index("</p>", start)]


def test_the_name_typed_is_kept_and_shown_as_text(web):
    response = sign_in(web.browser(), "<b>ani</b>", "salah-salah-salah")
    assert 'value="&lt;b&gt;ani&lt;/b&gt;"' in response.text


# ------------------------------------------------------------------------------------------- deactivation
def test_a_deactivated_users_cookie_is_refused_at_once(web):
    client = signed_in(web, "ani")
    assert client.get("/").status_code == 200
    web.workflow.deactivate_user("admin", "ani")
    response = client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/masuk?sebab=diakhiri"
    again = sign_in(web.browser(), "ani")
    assert again.status_code == 400 and "sudah dinonaktifkan" in again.text


# ------------------------------------------------------------------------------------------- one-time password
def test_a_one_time_password_confines_the_session_to_changing_it(web):
    name = limited_user(web)
    client = web.browser()
    response = sign_in(client, name, ONE_TIME)
    assert response.headers["location"] == "/ganti-sandi"
    for path in ("/", "/antrean"):
        assert client.get(path).headers["location"] == "/ganti-sandi"
    page = client.get("/ganti-sandi")
    assert page.status_code == 200 and "kata sandi sementara" in page.text
    token = page_token(client)
    short = client.post("/ganti-sandi", data={"sandi_lama": ONE_TIME, "sandi_baru": "pendek", "sandi_ulang": "pendek",
                                              "csrf_token": token})
    assert short.status_code == 400 and "Kata sandi baru: minimal 12 karakter (diberikan 6 karakter)." in short.text
    typo = client.post("/ganti-sandi", data={"sandi_lama": ONE_TIME, "sandi_baru": "baru-dan-panjang-1",
                                             "sandi_ulang": "baru-dan-panjang-2", "csrf_token": token})
    assert typo.status_code == 400 and "tidak sama" in typo.text
    before = client.cookies[COOKIE]
    done = client.post("/ganti-sandi", data={"sandi_lama": ONE_TIME, "sandi_baru": "baru-dan-panjang-1",
                                             "sandi_ulang": "baru-dan-panjang-1", "csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == "/?pesan=sandi"
    assert client.cookies[COOKIE] != before
    home = client.get("/?pesan=sandi")
    assert home.status_code == 200 and "Kata sandi sudah diganti." in home.text
    assert client.get("/antrean").status_code == 200


def test_a_wrong_current_password_is_refused_in_indonesian(web):
    client = signed_in(web, "ani")
    response = client.post("/ganti-sandi", data={"sandi_lama": "bukan-yang-ini", "sandi_baru": "baru-dan-panjang-1",
                                                 "sandi_ulang": "baru-dan-panjang-1", "csrf_token": page_token(client)})
    assert response.status_code == 400 and "Kata sandi saat ini: salah." in response.text


# ------------------------------------------------------------------------------------------- sign-out
def test_signing_out_ends_the_session_and_drops_the_cookie(web):
    client = signed_in(web, "ani")
    jar = httpx.Cookies(client.cookies)
    response = client.post("/keluar", data={"csrf_token": page_token(client)})
    assert response.status_code == 303 and response.headers["location"] == "/masuk?sebab=keluar"
    assert COOKIE not in client.cookies
    assert "Anda sudah keluar." in client.get("/masuk?sebab=keluar").text
    stale = web.browser()
    stale.cookies = jar
    assert stale.get("/").headers["location"] == "/masuk?sebab=diakhiri"


def test_signing_in_and_out_in_the_browser_is_in_the_audit_trail(web):
    sign_in(web.browser(), "ani", "salah-salah-salah")
    client = signed_in(web, "ani")
    client.post("/keluar", data={"csrf_token": page_token(client)})
    rows = auth_rows(web.workflow)
    assert [(r["action"], r["result"], r["asked_as"]) for r in rows] == [
        ("auth.sign_in", "refused", "ani"), ("auth.sign_in", "done", "ani"), ("auth.sign_out", "done", "ani")]
