"""Evidence files inside a write: checked and converted before the transaction opens (a bad file raises
Invalid and nothing is written), then stored and recorded in the caller's transaction. Files the store
did not hold before are removed again when that transaction fails, so a refused or conflicting report
leaves no file behind.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from config.clock import now
from data_access.errors import Invalid
from data_access.evidence_files import Prepared, prepare
from data_access.evidence_store import EvidenceStore, content_key
from data_access.models import Attachment
from data_access.viewer import Viewer
from domain.evidence import MAX_FILES, EvidenceProblem, Upload, check_upload, decode_data_url


def decode_uploads(contents: object, filenames: object) -> list[Upload]:
    """The files of a dcc.Upload (one data URL or a list of them), checked; Invalid names the first bad one."""
    texts = contents if isinstance(contents, list) else [contents] if contents else []
    names = filenames if isinstance(filenames, list) else [filenames] * len(texts)
    if len(texts) > MAX_FILES:
        raise Invalid({"evidence": "too_many_files"}, n=MAX_FILES)
    try:
        return [decode_data_url(text, str(name or "")) for text, name in zip(texts, names, strict=False)]
    except EvidenceProblem as problem:
        raise Invalid({"evidence": problem.code}, file=problem.filename) from None


@dataclass
class Evidence:
    """Files accepted for one write, ready to be saved in its transaction."""

    files: EvidenceStore | None
    prepared: list[Prepared]
    added: list[str] = field(default_factory=list)

    def save(
        self,
        session: Session,
        viewer: Viewer,
        *,
        task_id: int | None = None,
        checkin_id: int | None = None,
        measurement_id: int | None = None,
    ) -> list[Attachment]:
        """Store the bytes and add one attachment row per file to the caller's transaction."""
        if not self.prepared:
            return []
        if self.files is None:  # a caller that passes files must pass the store: a programming error
            raise RuntimeError("evidence files given without an evidence store")
        rows = []
        for item in self.prepared:
            key = self._put(item.content)
            thumb = self._put(item.thumbnail, suffix=".thumb") if item.thumbnail is not None else None
            rows.append(
                Attachment(
                    task_id=task_id,
                    checkin_id=checkin_id,
                    measurement_id=measurement_id,
                    content_key=key,
                    thumb_key=thumb,
                    filename=item.filename,
                    mime=item.mime,
                    size_bytes=len(item.content),
                    uploaded_by_id=viewer.user_id,
                    uploaded_at=now(),
                )
            )
        session.add_all(rows)
        return rows

    def _put(self, content: bytes, suffix: str = "") -> str:
        assert self.files is not None
        key = content_key(content) + suffix
        if self.files.put(key, content):
            self.added.append(key)
        return key

    @contextmanager
    def kept_only_if_committed(self) -> Iterator[Evidence]:
        """Wrap the transaction: when it fails, remove the files this write added."""
        try:
            yield self
        except BaseException:
            for key in self.added:
                if self.files is not None:
                    self.files.delete(key)
            raise


def accept_files(files: EvidenceStore | None, uploads: Sequence[Upload]) -> Evidence:
    """Check and convert every upload before anything is written; Invalid names the first bad file."""
    if len(uploads) > MAX_FILES:
        raise Invalid({"evidence": "too_many_files"}, n=MAX_FILES)
    try:
        prepared = [prepare(check_upload(upload)) for upload in uploads]
    except EvidenceProblem as problem:
        raise Invalid({"evidence": problem.code}, file=problem.filename) from None
    return Evidence(files, prepared)
