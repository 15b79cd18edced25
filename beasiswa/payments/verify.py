"""Whether every transfer file is still the one recorded: each stored file's SHA-256 recomputed against the one
recorded at export, its count and total against its transfers', and files handed in (the copy uploaded to the
bank, say) against the batch they claim by name. Pure: the rows are read by the caller."""

import hashlib
from pathlib import PurePath

import attrs


@attrs.frozen
class Finding:
    batch_id: str  # the batch named, or the file's name when it claims none
    message: str  # Indonesian, for the auditor


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def stored_findings(batches, sums: dict[str, tuple[int, int]]) -> list[Finding]:
    """`batches`: rows with batch_id, content, sha256, count, total; `sums`: each batch's (count, total) by its
    transfers."""
    found = []
    for b in batches:
        actual = sha256(bytes(b.content))
        if actual != b.sha256:
            found.append(Finding(b.batch_id, f"berkas tersimpan berubah: SHA-256 {actual} bukan {b.sha256} yang "
                                             f"dicatat saat ekspor"))
        if sums.get(b.batch_id, (0, 0)) != (b.count, b.total):
            count, total = sums.get(b.batch_id, (0, 0))
            found.append(Finding(b.batch_id, f"transfernya berjumlah {count} senilai {total}, bukan {b.count} "
                                             f"senilai {b.total} yang dicatat"))
    return found


def file_findings(files: list[tuple[str, bytes]], batches) -> list[Finding]:
    """Each (path, bytes) against the batch whose file name it bears."""
    by_name = {b.file_name: b for b in batches}
    found = []
    for path, content in files:
        name = PurePath(path).name
        batch = by_name.get(name)
        if batch is None:
            found.append(Finding(name, f"berkas {path}: tidak ada kelompok transfer dengan nama berkas {name}"))
        elif sha256(content) != batch.sha256:
            found.append(Finding(batch.batch_id, f"berkas {path}: SHA-256 {sha256(content)} bukan {batch.sha256} "
                                                 f"kelompok {batch.batch_id}"))
    return found
