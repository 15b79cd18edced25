"""A batch's file in the format its bank takes: pain.001.001.09, or the bank's own CSV layout."""

import attrs

from beasiswa.payments import layouts, pain001
from beasiswa.payments.batch import PAIN_001, BatchFile, file_format, file_name


@attrs.frozen
class Rendered:
    file_format: str  # "pain.001.001.09" or "csv:<layout>"
    file_name: str
    content: bytes


def render(batch: BatchFile) -> Rendered:
    format_ = file_format(batch.bank)
    name = file_name(batch.batch_id, format_)
    if format_ == PAIN_001:
        return Rendered(format_, name, pain001.write(batch))
    return Rendered(format_, name, layouts.write(batch, layouts.layout(format_.removeprefix("csv:")), name))
