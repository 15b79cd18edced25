"""Penerimaan berkas: an officer or a supervisor uploads a case file (JSON) or an intake sheet (CSV, XLSX) and
reads what became of each case (taken, unchanged, refused with the row and column); and downloads the sheet's
template (the bytes `beasiswa intake-template` writes).

The upload goes through the service the command line's `beasiswa intake` uses (`workflow.intake.take_in_file`),
every case taken as the signed-in user: the service checks the role and the case's office (an officer of
KC-SBY taking a KC-PLG case is refused that case, OFFICE) and writes the audit rows, the file's own name as
their source. The size limit is checked before the body is read (`uploads.UploadLimit`, set up by
`create_app`); the file is kept in a temporary folder only while it is read.
"""

import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from beasiswa.access.roles import Role
from beasiswa.intake.template import FILE_NAMES, MEDIA_TYPES, template_csv, template_xlsx
from beasiswa.web.access import roles, route
from beasiswa.web.render import page
from beasiswa.web.uploads import size_text
from beasiswa.workflow.intake import FileSummary, take_in_file

PATH = "/penerimaan"
KINDS = (".csv", ".xlsx", ".json")
STATUS_NAMES = {"new": "diterima (kasus baru)", "added": "diterima (klaim ditambahkan)",
                "unchanged": "tetap (sudah terdaftar)", "refused": "tidak diterima"}
OFFICE_STAFF = roles(Role.OFFICER, Role.SUPERVISOR)


@route("GET", PATH, OFFICE_STAFF)
def intake_form(request: Request) -> Response:
    return page(request, "penerimaan.html", _context(request))


@route("POST", PATH, OFFICE_STAFF)
async def intake_upload(request: Request) -> Response:
    form = await request.form()
    upload = form.get("berkas")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _refused(request, "Berkas: tidak ada berkas yang diunggah; pilih lembar penerimaan (.csv, .xlsx) "
                                 "atau berkas kasus (.json), lalu kirim.")
    name = _file_name(upload.filename)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in KINDS:
        return _refused(request, f"Berkas: {name!r} bukan lembar penerimaan (.csv, .xlsx) atau berkas kasus "
                                 f"(.json).", status=415)
    data = await upload.read()
    site, session, now = request.app.state.site, request.state.session, request.state.now
    user = session.user.name
    summary = await run_in_threadpool(_take_in, site.workflow, data, suffix, name, user, now.date())
    return page(request, "penerimaan.html", _context(request, summary=summary),
                status=400 if summary.error else 200)


@route("GET", PATH + "/templat.csv", OFFICE_STAFF)
def template_as_csv(request: Request) -> Response:
    return _download(template_csv(), "csv")


@route("GET", PATH + "/templat.xlsx", OFFICE_STAFF)
def template_as_xlsx(request: Request) -> Response:
    return _download(template_xlsx(), "xlsx")


def _take_in(workflow, data: bytes, suffix: str, name: str, user: str, today) -> FileSummary:
    with tempfile.TemporaryDirectory(prefix="beasiswa-upload-") as folder:
        path = Path(folder) / f"unggahan{suffix}"
        path.write_bytes(data)
        return take_in_file(workflow, path, lambda _case: user, today, source=name)


def _file_name(given: str) -> str:
    """The upload's own name, without any folder a browser sent, control characters or more than 120 chars."""
    name = PureWindowsPath(PurePosixPath(given).name).name
    name = "".join(c for c in name if c.isprintable()).strip() or "berkas"
    if len(name) > 120:
        stem, suffix = name[:-len(PurePosixPath(name).suffix) or None], PurePosixPath(name).suffix
        name = stem[:120 - len(suffix)] + suffix
    return name


def _context(request: Request, **extra) -> dict:
    site = request.app.state.site
    return {"summary": None, "error": None, "status_names": STATUS_NAMES, "office": request.state.session.user.office,
            "max_size": size_text(site.upload_limit), **extra}


def _refused(request: Request, message: str, status: int = 400) -> Response:
    return page(request, "penerimaan.html", _context(request, error=message), status=status)


def _download(data: bytes, kind: str) -> Response:
    return Response(data, media_type=MEDIA_TYPES[kind],
                    headers={"Content-Disposition": f'attachment; filename="{FILE_NAMES[kind]}"'})
