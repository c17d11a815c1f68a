"""Real images an instructor ships with the course, as ``docker save`` archives, served by the lab offline.

An exercise names one in its ``images``: ``{reference: "nginx:1.25", archive: "images/nginx.tar"}``,
the path relative to the exercise file. Loading the exercise checks the archive (``faults``):
inside the exercise's folder (links resolved), a regular file within MAX_ARCHIVE bytes, a
``docker save`` tar whose manifest.json names that reference, with its config and layers in it.
``lab up`` then reads it (``build``) and stores it in the lab's registry like a course image, so
``docker pull nginx:1.25`` gets it: its config is stored byte for byte, so its image ID is the
one the instructor saved.

Both the legacy layout (``<id>/layer.tar``) and the OCI one (``blobs/sha256/<hex>``, Docker 25+)
carry a manifest.json, which is all this reads.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tarfile
from pathlib import Path
from typing import Callable, Mapping

from checks import refs
from checks.errors import Fault, LabError
from checks.lab import served
from checks.lab.blobs import CONFIG_TYPE, LAYER_TYPE, Blob, BuiltImage
from checks.messages import Message, msg, register

MAX_ARCHIVE = 512 * 1024 * 1024  # bytes of one archive; the lab holds its layers in memory while it pushes them
MAX_MANIFEST = 1024 * 1024
MAX_MEMBERS = 10_000
GZIP_MAGIC = b"\x1f\x8b"

MESSAGES = {
    "archive.recipe_or_archive": {
        "pt-BR": "dê `recipe` (uma imagem que o laboratório constrói) ou `archive` (um tar do `docker save`), um dos dois",
        "en": "give either `recipe` (an image the lab builds) or `archive` (a `docker save` tar), one of the two",
    },
    "archive.cmd": {
        "pt-BR": "`cmd` vale só para uma receita; o comando de uma imagem de `archive` é o que ela já tem",
        "en": "`cmd` is for recipes only; an `archive` image keeps its own command",
    },
    "archive.outside": {
        "pt-BR": "o arquivo {path} fica fora da pasta do exercício ({folder}); coloque-o dentro dela e use um caminho relativo",
        "en": "file {path} is outside the exercise's folder ({folder}); put it inside and give a relative path",
    },
    "archive.missing": {
        "pt-BR": "o arquivo {path} não existe ou não é um arquivo comum; gere-o com `docker save -o {path} {reference}`",
        "en": "file {path} does not exist or is not a regular file; make it with `docker save -o {path} {reference}`",
    },
    "archive.too_large": {
        "pt-BR": "o arquivo {path} tem {size} bytes, acima do limite de {limit}; use uma imagem menor",
        "en": "file {path} has {size} bytes, over the {limit} limit; use a smaller image",
    },
    "archive.not_save": {
        "pt-BR": "{path} não é um tar do `docker save` ({reason}); gere-o com `docker save -o {path} {reference}`",
        "en": "{path} is not a `docker save` tar ({reason}); make it with `docker save -o {path} {reference}`",
    },
    "archive.no_reference": {
        "pt-BR": "{path} não contém {reference} (contém: {found}); salve essa referência: `docker save -o {path} {reference}`",
        "en": "{path} does not hold {reference} (it holds: {found}); save that reference: `docker save -o {path} {reference}`",
    },
    "archive.served": {
        "pt-BR": "o laboratório já serve {reference} (uma imagem do próprio curso), e esse arquivo seria ignorado; "
        "dê à imagem outra referência (`docker tag` antes do `docker save`) ou tire o `archive`",
        "en": "the lab already serves {reference} (one of the course's own images), so this archive would be ignored; "
        "give the image another reference (`docker tag` before `docker save`) or leave the `archive` out",
    },
    "archive.unreadable": {
        "pt-BR": "não foi possível ler a imagem {reference} de {path}: {reason}",
        "en": "cannot read image {reference} from {path}: {reason}",
    },
}
register(MESSAGES)


def faults(document: Mapping, line: Callable[[tuple], int], name: str) -> list[Fault]:
    """The faults of a valid exercise document's archive images; each archive item gets ``path``,
    the archive's absolute path, when it has none."""
    found = []
    folder = Path(name).absolute().parent
    for index, item in enumerate(document.get("images", ())):
        problem = _problem(item, folder)
        if problem is not None:
            key = "cmd" if problem.key == "archive.cmd" else "archive" if "archive" in item else "reference"
            found.append(Fault(name, line(("images", index, key)), f"$.images[{index}].{key}", problem))
    return found


def _problem(item: dict, folder: Path) -> Message | None:
    if ("recipe" in item) == ("archive" in item):
        return msg("archive.recipe_or_archive")
    if "archive" not in item:
        return None
    if "cmd" in item:
        return msg("archive.cmd")
    written, reference = item["archive"], item["reference"]
    if refs.try_parse(reference) is None:  # an image ID: an archive is found by name
        return msg("archive.no_reference", path=written, reference=reference, found=msg("none"))
    if refs.try_parse(reference) in served.course_references():  # the course's image wins: the archive would be ignored
        return msg("archive.served", reference=reference)
    try:
        real_folder = folder.resolve()
        path = (folder / written).resolve()  # links resolved: one pointing out of the folder is out
        if not path.is_relative_to(real_folder):
            return msg("archive.outside", path=written, folder=str(folder))
        if not path.is_file():
            return msg("archive.missing", path=written, reference=reference)
        size = path.stat().st_size
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a name too long, a loop of links
        return msg("archive.missing", path=written, reference=reference)
    if size > MAX_ARCHIVE:
        return msg("archive.too_large", path=written, size=size, limit=MAX_ARCHIVE)
    try:
        _entry(path, reference)
    except _NotSave as error:
        return msg("archive.not_save", path=written, reason=error.reason, reference=reference)
    except _NoReference as error:
        return msg("archive.no_reference", path=written, reference=reference, found=", ".join(error.found) or msg("none"))
    item["path"] = str(path)
    return None


class _NotSave(Exception):
    def __init__(self, reason: str):
        self.reason = reason


class _NoReference(Exception):
    def __init__(self, found: list[str]):
        self.found = found


def _entry(path: Path, reference: str) -> tuple[dict, dict[str, tarfile.TarInfo]]:
    """The manifest.json entry that names ``reference``, and the archive's regular files by name."""
    wanted = refs.parse(reference)
    try:
        with tarfile.open(path, "r:") as archive:
            members: dict[str, tarfile.TarInfo] = {}
            for count, member in enumerate(archive, 1):
                if count > MAX_MEMBERS:
                    raise _NotSave(f"more than {MAX_MEMBERS} entries")
                if member.isfile():
                    members[member.name.removeprefix("./")] = member
            manifest = members.get("manifest.json")
            if manifest is None:
                raise _NotSave("no manifest.json")
            if manifest.size > MAX_MANIFEST:
                raise _NotSave(f"manifest.json over {MAX_MANIFEST} bytes")
            entries = json.loads(archive.extractfile(manifest).read())
    except (OSError, tarfile.TarError, EOFError) as error:
        raise _NotSave(str(error) or type(error).__name__) from None
    except ValueError as error:
        raise _NotSave(f"manifest.json: {error}") from None
    if not isinstance(entries, list):
        raise _NotSave("manifest.json is not a list")
    tags = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("Config"), str) or not isinstance(entry.get("Layers"), list):
            raise _NotSave("manifest.json: an entry without Config or Layers")
        named = [tag for tag in entry.get("RepoTags") or () if isinstance(tag, str)]
        tags += named
        if any(refs.try_parse(tag) == wanted for tag in named):
            for part in [entry["Config"], *entry["Layers"]]:
                if not isinstance(part, str) or part not in members:
                    raise _NotSave(f"{part} is named in manifest.json but not in the tar")
            return entry, members
    raise _NoReference(sorted(tags))


def build(reference: str, path: str):
    """The image ``reference`` of an archive checked by ``faults``, as the lab pushes it."""
    try:
        entry, members = _entry(Path(path), reference)
        with tarfile.open(path, "r:") as archive:
            config = archive.extractfile(members[entry["Config"]]).read()
            diff_ids = json.loads(config)["rootfs"]["diff_ids"]
            layers = []
            for index, name in enumerate(entry["Layers"]):
                data = archive.extractfile(members[name]).read()
                if data[:2] != GZIP_MAGIC:
                    if "sha256:" + hashlib.sha256(data).hexdigest() != diff_ids[index]:
                        raise _NotSave(f"{name} does not match the config's layer {index + 1}")
                    data = gzip.compress(data, compresslevel=1, mtime=0)
                layers.append(Blob(data, LAYER_TYPE))
    except (_NotSave, _NoReference, OSError, tarfile.TarError, ValueError, KeyError, IndexError, TypeError) as error:
        reason = getattr(error, "reason", None) or str(error) or type(error).__name__
        raise LabError(msg("archive.unreadable", reference=reference, path=path, reason=reason)) from None
    return BuiltImage(refs.parse(reference), Blob(config, CONFIG_TYPE), tuple(layers))
