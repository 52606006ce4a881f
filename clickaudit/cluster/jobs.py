"""What travels from the submitter to the workers: emails as bytes, settings and files as data.

A worker may run on another machine: it sees neither the submitter's files nor its defaults. So
each email goes as the exact bytes the submitter read (keyed by their sha256), and the batch
carries the submitter's :class:`~clickaudit.settings.AuditSettings` (safe mode, private-address
guard, unsubscribe rule, limits) plus the contents of the files those settings name (UTM policy,
template, CA bundle). A worker applies these and nothing of its own.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clickaudit.errors import InputError

PROTOCOL = 1
"""Version of what is stored for a batch; a worker refuses a batch from a newer protocol."""

QUEUE = "clickaudit"
ACTOR = "clickaudit_audit_email"
MODES = ("scan", "audit")
FILE_SETTINGS = ("policy_path", "template_path", "ca_bundle")
"""Settings that name a file on the submitter's machine: their contents travel with the batch."""


@dataclass(frozen=True, slots=True)
class EmailUnit:
    """One email as the submitter read it (a :class:`clickaudit.batch.EmailSource`'s bytes)."""

    name: str
    kind: str  # file, or mbox (then ``index`` is the message's position)
    index: int
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.name}#{self.index + 1}" if self.kind == "mbox" else self.name


@dataclass(frozen=True, slots=True)
class JobInfo:
    """What a worker needs besides the bytes: where the email came from, its place in the batch."""

    name: str
    kind: str
    index: int
    seq: int

    @property
    def label(self) -> str:
        return f"{self.name}#{self.index + 1}" if self.kind == "mbox" else self.name

    def to_json(self) -> str:
        return json.dumps(
            {"name": self.name, "kind": self.kind, "index": self.index, "seq": self.seq}
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> JobInfo:
        data = json.loads(text)
        return cls(str(data["name"]), str(data["kind"]), int(data["index"]), int(data["seq"]))


@dataclass(frozen=True, slots=True)
class BatchSpec:
    """How every email of a batch is audited: the mode, the submitter's settings and files."""

    mode: str
    settings: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # setting → (name, data)
    protocol: int = PROTOCOL
    # A scan keeps nothing but its report, so its workers render it ({"format", "width"}) and
    # the submitter only writes: one submitter then feeds many more workers.
    report: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "protocol": self.protocol,
                "mode": self.mode,
                "settings": self.settings,
                "report": self.report,
                "files": {
                    key: {"name": name, "data": base64.b64encode(data).decode("ascii")}
                    for key, (name, data) in self.files.items()
                },
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> BatchSpec:
        data = json.loads(text)
        files = {
            key: (str(entry["name"]), base64.b64decode(entry["data"]))
            for key, entry in data.get("files", {}).items()
        }
        return cls(
            mode=str(data["mode"]),
            settings=dict(data["settings"]),
            files=files,
            protocol=int(data.get("protocol", 0)),
            report=dict(data.get("report") or {}),
        )


def spec_for(
    mode: str, settings_data: dict[str, Any], *, report: dict[str, Any] | None = None
) -> BatchSpec:
    """The batch spec for these settings, with the files they name read now, on the submitter;
    ``report`` ({"format", "width"}) has the workers render the report themselves.

    Raises:
        InputError: a named file cannot be read (before anything is sent).
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    files: dict[str, tuple[str, bytes]] = {}
    for key in FILE_SETTINGS:
        path = settings_data.get(key)
        if not path:
            continue
        try:
            files[key] = (Path(path).name, Path(path).read_bytes())
        except OSError as error:
            raise InputError(str(path), f"cannot be read: {error.strerror or error}") from None
    return BatchSpec(mode=mode, settings=dict(settings_data), files=files, report=report or {})
