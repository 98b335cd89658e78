"""Output folders written like a database: one switch, a manifest, a lock.

A command that writes a folder (``--out``, ``--to``, ``--figures``) never
touches it until everything is written:

* **Staging.** Files are written into a hidden staging folder *beside* the
  output folder (``.NAME.sna-stage-*``, same file system).
* **One switch.** At the end the staging folder replaces the output folder in
  one rename: an atomic exchange of the two folders on Linux
  (``renameat2(RENAME_EXCHANGE)``), else two renames, between which the folder
  is briefly absent (never a mix). Files in the folder that sna did not write
  (a ``README``, a ``.gitkeep``) are carried over as hard links before the
  switch. Several folders of one command (``sna run``'s tables and figures)
  switch one after another with signals held back; if one switch fails, the
  ones before are switched back.
* **Manifest.** Each folder gets ``.sna-manifest.json``: every file sna wrote
  there, with its part (``ingest``, ``metrics``, ``figures``, …), size and
  SHA-256, and an ``id`` derived from them. A command replaces the parts it
  names and keeps the others (``sna html`` keeps the figures of
  ``sna figures``); files of replaced parts that it did not write again are
  gone. Readers (:func:`open_results`) use only what the manifest lists.
* **Lock.** A writer holds an exclusive lock on ``.NAME.sna-lock`` beside the
  folder from start to end; a second writer fails at once with one line.
  Readers hold a shared lock on the folder they read, and the folder that was
  replaced is deleted only once its readers are done: a reader sees one
  complete result set, old or new.
* **Refusals.** An output folder inside an input folder (the next run would
  read its own outputs), and an output that would replace or drop an input
  file, are refused before anything is computed.
* **Clean failure.** On an error, Ctrl-C or SIGTERM (the CLI turns it into
  :class:`sna.errors.Interrupted`) the staging folders are removed and no
  empty output folder or parent folder is left behind; staging left by a
  killed run is removed by the next run that takes the lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sna.errors import SnaError, held_signals

MANIFEST = ".sna-manifest.json"
MANIFEST_FORMAT = "sna-manifest 1"
#: An output folder may hold at most this many entries sna did not write (carried over
#: by hard links at each switch); beyond it sna asks for a folder of its own.
FOREIGN_LIMIT = 1_000
#: How long a writer waits for readers of the folder it replaced before leaving it
#: for the next writer to delete.
READER_WAIT_S = 30.0
#: Threads hashing and syncing the files of a commit (the machines sna runs on have a few cores).
HASH_THREADS = min(4, os.cpu_count() or 1)

Stage = Callable[[str], Path]
"""Maps a file name (``"posts.csv"``, ``"figures/network.png"``) to the path to write it at."""


def _fail(path: Path, what: str) -> SnaError:
    return SnaError(f"{path}: {what}")


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


# Manifest -------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    """What sna wrote in a folder.

    Attributes
    ----------
    files : dict
        File name (relative, ``/``-separated) to ``{"part", "bytes", "sha256"}``.
    parts : dict
        Part name to information about it (e.g. the results a figure set was drawn from).

    Examples
    --------
    >>> m = Manifest({"a.csv": {"part": "ingest", "bytes": 2, "sha256": "00"}})
    >>> m.names("ingest"), m.id == Manifest(dict(m.files)).id
    (['a.csv'], True)
    """

    files: dict[str, dict[str, object]]
    parts: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """A digest of the listed files and their contents: equal for equal result sets."""
        listing = json.dumps(self.files, sort_keys=True).encode()
        return "sha256:" + hashlib.sha256(listing).hexdigest()[:32]

    def names(self, part: str | None = None) -> list[str]:
        """The files of ``part`` (all files when None), sorted."""
        return sorted(name for name, entry in self.files.items() if part is None or entry.get("part") == part)

    def to_json(self) -> str:
        """Deterministic JSON (the same result set gives the same bytes)."""
        data = {"format": MANIFEST_FORMAT, "id": self.id, "files": self.files, "parts": self.parts}
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, *, path: Path) -> Manifest:
        """Parse a manifest; a broken one is an error naming its file."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise _fail(path, f"not valid JSON ({str(exc)[:80]}); rerun the command that wrote the folder") from None
        files = data.get("files") if isinstance(data, dict) else None
        ok = (
            isinstance(files, dict)
            and data.get("format") == MANIFEST_FORMAT
            and all(isinstance(k, str) and isinstance(v, dict) and isinstance(v.get("part"), str)
                    for k, v in files.items())
        )  # fmt: skip
        if not ok:
            raise _fail(path, f"not an sna manifest (expected format {MANIFEST_FORMAT!r} and a files object)")
        parts = data.get("parts") if isinstance(data.get("parts"), dict) else {}
        return cls(files, parts)


def _read_manifest(folder: Path, dir_fd: int | None = None) -> Manifest | None:
    try:
        fd = os.open(MANIFEST if dir_fd is not None else folder / MANIFEST, os.O_RDONLY, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _fail(folder / MANIFEST, f"cannot read ({_os_reason(exc)})") from None
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(64 << 20)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(folder / MANIFEST, "not UTF-8 text; rerun the command that wrote the folder") from None
    return Manifest.from_json(text, path=folder / MANIFEST)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _digest_and_sync(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a staged file, after asking the OS to write it to disk."""
    digest = _sha256(path)
    with contextlib.suppress(OSError), path.open("rb") as handle:
        os.fsync(handle.fileno())
    return path.stat().st_size, digest


# Locks ----------------------------------------------------------------------


def _sibling(path: Path, kind: str) -> str:
    """Name of a hidden file beside ``path`` (kept short enough for any file system)."""
    name = path.name
    if len(name.encode()) > 120:
        name = name[:40] + "-" + hashlib.sha256(name.encode()).hexdigest()[:12]
    return f".{name}.sna-{kind}"


class _WriterLock:
    """An exclusive, non-blocking lock on ``.NAME.sna-lock`` beside an output folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder.parent / _sibling(folder, "lock")
        self.folder = folder
        self.fd: int | None = None

    def acquire(self) -> None:
        for _ in range(20):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise _fail(self.folder, f"cannot create its lock file ({_os_reason(exc)})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 64).decode(errors="replace").strip() or "?"
                os.close(fd)
                raise _fail(
                    self.folder,
                    f"another sna command (pid {holder}) is writing this folder; "
                    "wait for it to finish or choose another output folder",
                ) from None
            try:  # the file may have been removed by the holder we waited for: lock the live one
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self.fd = fd
                return
            os.close(fd)
        raise _fail(self.folder, "could not take its lock file (it keeps being replaced)")

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self.fd)
        self.fd = None


def _remove_tree(path: Path, *, wait: float = 0.0) -> bool:
    """Delete a replaced result folder once no reader holds it; False if readers kept it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return True
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)
        shutil.rmtree(path, ignore_errors=True)
        return True
    finally:
        os.close(fd)


# The switch -------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2); False where unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _is_sna_temp(name: str) -> bool:
    return name.startswith(".") and (".sna-stage-" in name or ".sna-old-" in name or name.endswith(".sna-lock"))


class _Folder:
    """One output folder of a transaction: its lock, staging folder and what is staged."""

    def __init__(self, path: Path, inputs: Collection[Path] = ()) -> None:
        self.path = path
        self.inputs = set(inputs)
        self.lock = _WriterLock(path)
        self.staging: Path | None = None
        self.old: Path | None = None  # where the replaced folder is after the switch
        self.existed = False
        self.staged: dict[str, str] = {}  # name -> part
        self.replaces: set[str] | None = set()  # None: every part
        self.info: dict[str, dict[str, object]] = {}
        self.manifest: Manifest | None = None
        self.adopt: dict[str, str] = {}
        self.created_parents: list[Path] = []

    def open(self) -> None:
        path = self.path
        if path.exists() and not path.is_dir():
            raise _fail(path, "is a file; expected a folder to write results into")
        if path.is_dir() and os.path.ismount(path):
            raise _fail(path, "is a mount point, which cannot be replaced in one rename; write into a folder inside it")
        missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _fail(path, f"cannot create its parent folder ({_os_reason(exc)})") from None
        self.created_parents = missing  # deepest first
        try:
            with held_signals():  # a signal waits until the lock file is held (and removed again on the way out)
                self.lock.acquire()
            self._collect_leftovers()
            try:
                with held_signals():  # not between the folder's creation and its name being kept
                    self.staging = Path(tempfile.mkdtemp(prefix=_sibling(path, "stage-"), dir=path.parent))
            except OSError as exc:
                raise _fail(path, f"cannot create a staging folder beside it ({_os_reason(exc)})") from None
        except BaseException:
            _close([self], committed=False)
            raise

    def _collect_leftovers(self) -> None:
        """Remove staging and replaced folders of runs that were killed (we hold the lock)."""
        prefix = _sibling(self.path, "")
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.path.parent):
                rest = entry.name[len(prefix) :] if entry.name.startswith(prefix) else ""
                if rest.startswith(("stage-", "old-")) and entry.is_dir(follow_symlinks=False):
                    _remove_tree(Path(entry.path))

    def stage(self, name: str, part: str) -> Path:
        assert self.staging is not None
        relative = Path(name)
        if relative.is_absolute() or not relative.parts or ".." in relative.parts or name == MANIFEST:
            raise SnaError(f"{self.path}: cannot write {name!r} (expected a file name inside the folder)")
        key = relative.as_posix()
        if (self.path / key).resolve() in self.inputs:
            raise _refuse_input(self.path / key, self.path)
        self.staged[key] = part
        target = self.staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    # commit, in steps -------------------------------------------------------

    def old_manifest(self) -> Manifest | None:
        """The folder's manifest; for a folder sna wrote before it kept manifests, the files it adopts."""
        if not self.path.is_dir():
            return None
        manifest = _read_manifest(self.path)
        if manifest is not None or not self.adopt:
            return manifest
        found = {name: {"part": part} for name, part in self.adopt.items() if (self.path / name).is_file()}
        return Manifest(found) if found else None

    def dropped(self, old: Manifest | None) -> set[str]:
        """Names of files sna wrote here before that this switch removes."""
        if old is None:
            return set()
        return {
            name
            for name, entry in old.files.items()
            if name not in self.staged and (self.replaces is None or entry["part"] in self.replaces)
        }

    def check_inputs(self, inputs: Collection[Path], replaces: set[str] | None) -> None:
        """Refuse before any work if an input is a file sna wrote here and this command removes."""
        old = self.old_manifest()
        if old is None:
            return
        for path in inputs:
            if not _inside(path, self.path) or path == self.path:
                continue
            entry = old.files.get(path.relative_to(self.path).as_posix())
            if entry is not None and (replaces is None or entry["part"] in replaces):
                raise _refuse_input(path, self.path)

    def prepare(self) -> None:
        """Carry over what stays, write the manifest, and make the staging folder durable."""
        assert self.staging is not None
        old = self.old_manifest()
        self.existed = self.path.is_dir()
        for name in list(self.staged):
            target = self.staging / name
            if target.is_dir() and not target.is_symlink():  # a table written as a folder of parts (Spark)
                part = self.staged.pop(name)
                for file in sorted(p for p in target.rglob("*") if p.is_file() and not p.is_symlink()):
                    self.staged[file.relative_to(self.staging).as_posix()] = part
            elif not target.is_file():
                raise SnaError(f"{self.path}: {name} was staged but not written (a bug in sna)")
        dropped = self.dropped(old)
        kept = {} if old is None else {n: e for n, e in old.files.items() if n not in self.staged and n not in dropped}
        if self.existed:
            self._carry_over(old, kept)
        files = {name: dict(entry) for name, entry in kept.items() if (self.staging / name).is_file()}
        for name, entry in files.items():
            if "sha256" not in entry:  # adopted from a folder without a manifest
                entry |= {"bytes": (self.staging / name).stat().st_size, "sha256": _sha256(self.staging / name)}
        staged = list(self.staged.items())
        # Hashing and syncing release the GIL (hashlib on large buffers, reads, fsync): files in parallel.
        with ThreadPoolExecutor(max_workers=HASH_THREADS) as pool:
            digests = list(pool.map(_digest_and_sync, [self.staging / name for name, _ in staged]))
        for (name, part), (size, digest) in zip(staged, digests, strict=True):
            files[name] = {"part": part, "bytes": size, "sha256": digest}
        live = {entry["part"] for entry in files.values()}
        parts = {p: i for p, i in (old.parts if old else {}).items() if p in live and p not in self.info}
        parts |= {p: i for p, i in self.info.items() if p in live}
        self.manifest = Manifest(dict(sorted(files.items())), dict(sorted(parts.items())))

    def write_manifest(self, companions: dict[str, str]) -> None:
        """Write the manifest (with the ids of folders switched together with this one) and sync."""
        assert self.staging is not None and self.manifest is not None
        manifest = self.manifest
        if companions:
            parts = {p: dict(i) | {"switched_with": companions} for p, i in manifest.parts.items()}
            parts |= {p: {"switched_with": companions} for p in self.staged.values() if p not in parts}
            manifest = Manifest(manifest.files, dict(sorted(parts.items())))
        (self.staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        mode = stat.S_IMODE(self.path.stat().st_mode) if self.existed else 0o777 & ~_umask()
        os.chmod(self.staging, mode)
        for folder in {(self.staging / n).parent for n in manifest.files} | {self.staging}:
            _fsync_dir(folder)

    def _carry_over(self, old: Manifest | None, kept: dict[str, dict[str, object]]) -> None:
        """Hard-link into staging what stays: files of kept parts, and files sna did not write."""
        assert self.staging is not None
        listed = set(old.files) if old is not None else set()
        foreign = 0
        moves: list[tuple[Path, Path]] = []
        for root, dirs, names in os.walk(self.path):
            base = Path(root).relative_to(self.path)
            dirs[:] = [d for d in dirs if not _is_sna_temp(d)]
            if not dirs and not names and base.parts:
                moves.append((Path(root), self.staging / base))  # an empty folder of the user's
            for name in names + [d for d in dirs if (Path(root) / d).is_symlink()]:
                relative = (base / name).as_posix()
                if relative in self.staged or relative == MANIFEST or _is_sna_temp(name):
                    continue
                if relative in listed and relative not in kept:
                    continue
                if relative not in listed:
                    foreign += 1
                    if foreign > FOREIGN_LIMIT:
                        raise _fail(self.path, f"holds more than {FOREIGN_LIMIT:,} files sna did not write; "
                                               "choose an empty or new folder for the results")  # fmt: skip
                moves.append((Path(root) / name, self.staging / relative))
        for source, target in moves:
            if source.is_dir() and not source.is_symlink():
                target.mkdir(parents=True, exist_ok=True)
                continue
            if target.exists() or target.is_symlink():
                continue  # a file staged at this name wins
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                os.symlink(os.readlink(source), target)
                continue
            try:
                os.link(source, target, follow_symlinks=False)
            except OSError:
                shutil.copy2(source, target, follow_symlinks=False)

    def switch(self) -> None:
        assert self.staging is not None
        if not self.existed:
            if self.path.exists():  # appeared since prepare(): another tool made it
                raise _fail(self.path, "appeared while sna was writing it; nothing was changed")
            os.rename(self.staging, self.path)
            self.old = None
        elif _exchange(self.staging, self.path):
            self.old = self.staging
        else:
            trash = self.path.parent / (_sibling(self.path, "old-") + os.urandom(4).hex())
            os.rename(self.path, trash)
            try:
                os.rename(self.staging, self.path)
            except OSError:
                os.rename(trash, self.path)
                raise
            self.old = trash
        self.staging = None
        _fsync_dir(self.path.parent)

    def switch_back(self) -> None:
        """Undo :meth:`switch` (when a later folder of the same transaction failed)."""
        if self.old is None:
            back = self.path.parent / (_sibling(self.path, "stage-") + os.urandom(4).hex())
            os.rename(self.path, back)
            self.staging = back
        elif not _exchange(self.old, self.path):
            failed = self.path.parent / (_sibling(self.path, "stage-") + os.urandom(4).hex())
            os.rename(self.path, failed)
            os.rename(self.old, self.path)
            self.old, self.staging = None, failed
        else:
            self.staging, self.old = self.old, None

    def drop_staging(self) -> None:
        """Remove the staging folder (quick; signals are held by the caller)."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def drop_old(self) -> None:
        """Remove the replaced folder once its readers are done (left for the next run if they stay)."""
        if self.old is not None:
            _remove_tree(self.old, wait=READER_WAIT_S)
            self.old = None

    def release(self, *, committed: bool) -> None:
        """Release the lock; after a failure, remove the parent folders :meth:`open` created."""
        self.lock.release()
        if not committed:
            for parent in self.created_parents:
                with contextlib.suppress(OSError):
                    parent.rmdir()


def _refuse_input(path: Path, folder: Path) -> SnaError:
    return SnaError(f"{path}: is an input, and writing {folder} would replace it; write the results to another folder")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _resolve(path: str | Path) -> Path:
    return Path(os.path.abspath(path)).resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class Outputs:
    """The output folders of one command, switched together at the end.

    Use through :func:`output_folders` (or :func:`atomic_outputs` for one
    folder). :meth:`folder` takes the folder's lock at once, so a second
    command writing the same folder fails before it computes anything.
    """

    def __init__(self, inputs: Iterable[str | Path] = ()) -> None:
        self.inputs = [_resolve(p) for p in inputs]
        self._folders: list[_Folder] = []
        self.committed = False

    def folder(
        self, path: str | Path, *, part: str = "files", replaces: Iterable[str] | None = (),
        info: dict[str, object] | None = None, adopt: Mapping[str, str] | None = None,
    ) -> Stage:  # fmt: skip
        """Claim an output folder and return the function that stages files for ``part`` there.

        Parameters
        ----------
        path : path
            The output folder (created at the switch if it does not exist).
        part : str
            What the staged files are (``ingest``, ``metrics``, ``figures``, …),
            recorded in the manifest.
        replaces : iterable of str or None
            Parts besides ``part`` whose earlier files are removed at the
            switch; files written again are always replaced. Default: only
            ``part``'s own earlier files go, everything else stays (as a
            command adding files to a folder expects). None: every file sna
            wrote there before goes. Files sna did not write always stay.
        info : dict, optional
            Recorded in the manifest under ``parts[part]``; read at the
            switch, so it may be filled in while the files are written.
        adopt : mapping, optional
            File name to part, for a folder without a manifest (written by an
            sna from before manifests): those files count as written by sna
            in that part, so they are kept or replaced like listed ones.

        Raises
        ------
        SnaError
            When another command writes the folder, the folder lies inside an
            input folder, or it cannot be created.
        """
        resolved = _resolve(path)
        for given in self.inputs:
            if given.is_dir() and _inside(resolved, given):
                raise SnaError(f"{path}: is inside the input folder {given}, so a later run would read its own "
                               "outputs; write the results outside the inputs")  # fmt: skip
        home = next((f for f in self._folders if _inside(resolved, f.path)), None)
        if home is None:
            inner = next((f for f in self._folders if _inside(f.path, resolved)), None)
            if inner is not None:
                raise SnaError(f"{path}: contains the output folder {inner.path}; choose folders that do not "
                               "contain one another (a folder inside another is fine the other way round)")  # fmt: skip
            with held_signals():  # a signal between creating the staging folder and recording it would leak it
                home = _Folder(resolved, self.inputs)
                home.open()
                self._folders.append(home)
        prefix = resolved.relative_to(home.path)
        if replaces is None:
            home.replaces = None
        elif home.replaces is not None:
            home.replaces |= set(replaces) | {part}
        if info is not None:
            home.info[part] = info
        home.adopt.update({(prefix / name).as_posix(): p for name, p in (adopt or {}).items()})
        home.check_inputs(self.inputs, home.replaces)

        def stage(name: str) -> Path:
            return home.stage((prefix / name).as_posix(), part)

        return stage

    def commit(self) -> None:
        """Write manifests and switch every folder; on a failure, switch back those already switched."""
        for folder in self._folders:
            folder.prepare()
        for folder in self._folders:
            folder.write_manifest({
                os.path.relpath(other.path, folder.path): other.manifest.id
                for other in self._folders if other is not folder and other.manifest is not None
            })  # fmt: skip
        done: list[_Folder] = []
        with held_signals():
            try:
                for folder in self._folders:
                    folder.switch()
                    done.append(folder)
            except (OSError, SnaError) as exc:
                for folder in reversed(done):
                    with contextlib.suppress(OSError):
                        folder.switch_back()
                if isinstance(exc, SnaError):
                    raise
                failed = self._folders[len(done)].path
                raise _fail(failed, f"cannot replace it with the new results ({_os_reason(exc)}); "
                                    "nothing was changed") from None  # fmt: skip
            self.committed = True

    def close(self) -> None:
        """Remove staging and replaced folders, release locks."""
        folders, self._folders = self._folders, []
        _close(folders, committed=self.committed)


def _close(folders: list[_Folder], *, committed: bool) -> None:
    """Remove the staging folders, then the replaced folders, then release the locks.

    Signals are held while staging folders and locks go (a Ctrl-C must not cut
    that short). A Ctrl-C while waiting for readers of a replaced folder leaves
    it for the next run that takes the lock.
    """
    try:
        with held_signals():
            for folder in folders:
                folder.drop_staging()
        for folder in folders:
            folder.drop_old()
    finally:
        with held_signals():
            for folder in folders:
                folder.release(committed=committed)


@contextmanager
def output_folders(*, inputs: Iterable[str | Path] = ()) -> Iterator[Outputs]:
    """Write several output folders and switch them together when the block ends.

    ``inputs`` are the files and folders the command reads: output folders
    inside an input folder, and outputs that would replace an input file, are
    refused. If the block raises (or is interrupted), nothing changes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> with output_folders() as outputs:
    ...     tables = outputs.folder(base / "out", part="ingest")
    ...     pictures = outputs.folder(base / "pictures", part="figures")
    ...     _ = tables("posts.csv").write_text("post_id\\n")
    ...     _ = pictures("network.png").write_bytes(b"png")
    >>> sorted(p.name for p in (base / "out").iterdir()), read_manifest(base / "pictures").names()
    (['.sna-manifest.json', 'posts.csv'], ['network.png'])
    """
    outputs = Outputs(inputs)
    try:
        yield outputs
        outputs.commit()
    finally:
        outputs.close()


@contextmanager
def atomic_outputs(
    out_dir: str | Path, *, part: str = "files", replaces: Iterable[str] | None = (),
    inputs: Iterable[str | Path] = (), info: dict[str, object] | None = None, adopt: Mapping[str, str] | None = None,
) -> Iterator[Stage]:  # fmt: skip
    """Stage files for one folder and switch it in one rename when the block ends.

    Yields a function mapping a file name to the staging path to write it
    at. If the block raises, the folder is untouched and the staging folder
    is removed. See :meth:`Outputs.folder` for ``part``, ``replaces``,
    ``info`` and ``adopt``, and :func:`output_folders` for ``inputs``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "result"
    >>> with atomic_outputs(out, part="ingest") as stage:
    ...     _ = stage("a.txt").write_text("done")
    >>> with atomic_outputs(out, part="metrics", replaces=["metrics"]) as stage:
    ...     _ = stage("b.txt").write_text("more")
    >>> read_manifest(out).names(), sorted(p.name for p in out.iterdir())[1:]
    (['a.txt', 'b.txt'], ['a.txt', 'b.txt'])
    """
    with output_folders(inputs=inputs) as outputs:
        yield outputs.folder(out_dir, part=part, replaces=replaces, info=info, adopt=adopt)


@contextmanager
def atomic_file(path: str | Path, *, inputs: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Write one file through a temporary file beside it, renamed into place at the end.

    Refuses to replace an input. Nothing changes if the block raises.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "pred.csv"
    >>> with atomic_file(target) as temporary:
    ...     _ = temporary.write_text("a\\n1\\n")
    >>> target.read_text()
    'a\\n1\\n'
    """
    target = _resolve(path)
    if any(target == given for given in (_resolve(p) for p in inputs)):
        raise SnaError(f"{path}: is an input; write the results to another file")
    if target.is_dir():
        raise _fail(Path(path), "is a folder; expected a file name")
    missing = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
    done = False
    temporary: Path | None = None
    try:
        with held_signals():  # a signal raised when this block ends finds the file's name kept
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix=_sibling(target, "stage-"), suffix=target.suffix, dir=target.parent)
            except OSError as exc:
                raise _fail(Path(path), f"cannot write beside it ({_os_reason(exc)})") from None
            os.close(fd)
            temporary = Path(name)
        yield temporary
        os.chmod(temporary, 0o666 & ~_umask())
        with held_signals():
            os.replace(temporary, target)
            done = True
    finally:
        with held_signals():
            if temporary is not None and not done:
                with contextlib.suppress(OSError):
                    temporary.unlink()
        if not done:
            for parent in missing:
                with contextlib.suppress(OSError):
                    parent.rmdir()


@contextmanager
def scratch_folder(prefix: str, parent: str | Path | None = None) -> Iterator[Path]:
    """A temporary folder for work files, removed when the block ends: also when a Ctrl-C comes as it is created.

    Examples
    --------
    >>> with scratch_folder("sna-example-") as work:
    ...     _ = (work / "part.arrow").write_bytes(b"")
    >>> work.exists()
    False
    """
    folder: Path | None = None
    try:
        with held_signals():  # an interruption raised as this block ends finds the name kept for the cleanup
            folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        yield folder
    finally:
        with held_signals():
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)


# Reading ----------------------------------------------------------------------


def read_manifest(folder: str | Path) -> Manifest | None:
    """The manifest of a results folder, or None when the folder has none.

    Raises
    ------
    SnaError
        When the manifest is there but broken.
    """
    return _read_manifest(Path(folder))


class Results:
    """A results folder opened for reading: one consistent set of files.

    Opened by :func:`open_results`. Files are opened relative to the folder as
    it was when opened, under a shared lock, so a command that replaces the
    folder meanwhile neither mixes its files in nor deletes them under the
    reader.
    """

    def __init__(self, path: Path, dir_fd: int, manifest: Manifest | None) -> None:
        self.path = path
        self._fd = dir_fd
        self.manifest = manifest

    def has(self, name: str) -> bool:
        """True if the file is part of the result set (listed, or present without a manifest)."""
        if self.manifest is not None:
            return name in self.manifest.files and self._exists(name)
        return self._exists(name) and not name.startswith(".")

    def _exists(self, name: str) -> bool:
        try:
            return stat.S_ISREG(os.stat(name, dir_fd=self._fd).st_mode)
        except OSError:
            return False

    def present(self, name: str) -> bool:
        """True if a file of that name is in the folder, listed or not."""
        return self._exists(name)

    def parts(self, folder: str, suffix: str = ".parquet") -> list[str]:
        """The files ``folder/part-*SUFFIX`` of the result set (a table written as a folder of parts), sorted."""
        if self.manifest is not None:
            names = [n for n in self.manifest.files if n.startswith(f"{folder}/")]
        else:
            try:
                sub = os.open(folder, os.O_RDONLY | os.O_DIRECTORY, dir_fd=self._fd)
            except OSError:
                return []
            try:
                names = [f"{folder}/{n}" for n in os.listdir(sub)]
            finally:
                os.close(sub)
        return sorted(n for n in names if Path(n).name.startswith("part-") and n.endswith(suffix) and self._exists(n))

    def open(self, name: str) -> BinaryIO:
        """Open a file of the result set for reading (binary), checked against the manifest.

        A listed file whose SHA-256 is not the manifest's was changed (or
        corrupted) after sna wrote it: an error, before any parser sees it.
        """
        try:
            fd = os.open(name, os.O_RDONLY, dir_fd=self._fd)
        except OSError as exc:
            raise _fail(self.path / name, f"cannot open ({_os_reason(exc)})") from None
        handle = os.fdopen(fd, "rb")
        entry = self.manifest.files.get(name) if self.manifest is not None else None
        if entry is not None and entry.get("sha256"):
            digest = hashlib.sha256()
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
            if digest.hexdigest() != entry["sha256"]:
                handle.close()
                raise _fail(self.path / name, f"changed since sna wrote it (its SHA-256 is not the one in {MANIFEST}); "
                                              "rerun the command that wrote it, or delete the manifest to read the "
                                              "files as they are")  # fmt: skip
            handle.seek(0)
        return handle


@contextmanager
def open_results(folder: str | Path) -> Iterator[Results]:
    """Open a results folder for reading (see :class:`Results`).

    Raises
    ------
    SnaError
        When the folder does not exist, is not a folder, or has a broken manifest.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r"
    >>> with atomic_outputs(out, part="ingest") as stage:
    ...     _ = stage("posts.csv").write_text("post_id\\n")
    >>> (out / "stale.csv").write_text("old")
    3
    >>> with open_results(out) as results:
    ...     results.has("posts.csv"), results.has("stale.csv")
    (True, False)
    """
    path = Path(folder)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        raise _fail(path, "no such folder") from None
    except NotADirectoryError:
        raise _fail(path, "is a file; expected a results folder") from None
    except OSError as exc:
        raise _fail(path, f"cannot open ({_os_reason(exc)})") from None
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_SH)
        yield Results(path, fd, _read_manifest(path, dir_fd=fd))
    finally:
        os.close(fd)
