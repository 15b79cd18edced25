"""One module a screen: `sign_in` (masuk, keluar, ganti-sandi), `home` (Beranda), `queue` (Antrean). Each
registers its routes with their rules through `beasiswa.web.access.route`; `create_app` imports them all."""
