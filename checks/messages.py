"""Every message of the grader, in pt-BR and en, side by side.

Code never holds user-facing text: it builds a ``Message`` (a key and its
parameters) and the front end renders it in the user's language. A test fails
when a key misses a language or the two translations use different fields.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass, field
from typing import Any, Mapping

LANGS = ("pt-BR", "en")
DEFAULT_LANG = "pt-BR"

CATALOG: dict[str, dict[str, str]] = {
    # --- shared by every part -----------------------------------------------------------
    "none": {"pt-BR": "nenhum", "en": "none"},
    # --- reports ----------------------------------------------------------------------
    "report.total": {"pt-BR": "Total: {score}/{max_score} pontos", "en": "Total: {score}/{max_score} points"},
    "report.found": {"pt-BR": "encontrado: {found}", "en": "found: {found}"},
    "report.error": {"pt-BR": "ERRO: {error}", "en": "ERROR: {error}"},
    "report.not_graded": {"pt-BR": "não corrigido: {error}", "en": "not graded: {error}"},
    "report.hidden": {"pt-BR": "verificação oculta", "en": "hidden check"},
    "report.passed_checks": {"pt-BR": "{passed}/{total} verificações", "en": "{passed}/{total} checks"},
    "report.heading": {"pt-BR": "docker-grader: {score}/{max_score} pontos", "en": "docker-grader: {score}/{max_score} points"},
    "report.col_exercise": {"pt-BR": "Exercício", "en": "Exercise"},
    "report.col_points": {"pt-BR": "Pontos", "en": "Points"},
    "report.col_checks": {"pt-BR": "Verificações", "en": "Checks"},
    "report.failed_checks": {"pt-BR": "Verificações que falharam", "en": "Failed checks"},
    "report.all_passed": {"pt-BR": "Todas as verificações passaram.", "en": "Every check passed."},
    # --- errors of the grader ----------------------------------------------------------
    "error.exercise": {
        "pt-BR": "arquivo de exercício inválido em {where} ({count} erro(s))",
        "en": "invalid exercise file at {where} ({count} error(s))",
    },
    "exercise.unreadable": {
        "pt-BR": "não foi possível ler o arquivo: {reason}",
        "en": "cannot read the file: {reason}",
    },
    "exercise.yaml": {
        "pt-BR": "YAML inválido: {reason}; corrija a sintaxe nesta linha",
        "en": "invalid YAML: {reason}; fix the syntax on this line",
    },
    "exercise.too_large": {
        "pt-BR": "o arquivo tem {size} bytes, acima do limite de {limit}; divida-o em exercícios menores",
        "en": "the file has {size} bytes, over the {limit} limit; split it into smaller exercises",
    },
    "exercise.too_complex": {
        "pt-BR": "o documento é aninhado ou expandido demais (limite de {limit} nós); simplifique-o",
        "en": "the document is nested or expanded too much (limit of {limit} nodes); simplify it",
    },
    "exercise.duplicate_key": {
        "pt-BR": "a chave {key!r} aparece duas vezes; mantenha só uma",
        "en": "key {key!r} appears twice; keep only one",
    },
    "exercise.key_type": {
        "pt-BR": "as chaves devem ser textos; {key!r} não é",
        "en": "keys must be strings; {key!r} is not",
    },
    "schema.unknown_key_close": {"pt-BR": "chave desconhecida {key!r}; quis dizer {close!r}?", "en": "unknown key {key!r}; did you mean {close!r}?"},
    "schema.unknown_key": {"pt-BR": "chave desconhecida {key!r}; aceitas: {allowed}", "en": "unknown key {key!r}; allowed: {allowed}"},
    "schema.required": {"pt-BR": "falta a chave obrigatória {key!r}", "en": "the required key {key!r} is missing"},
    "schema.enum": {"pt-BR": "{value} não é um de: {allowed}", "en": "{value} is not one of {allowed}"},
    "schema.format": {"pt-BR": "{value} não é uma referência {format} válida", "en": "{value} is not a valid {format} reference"},
    "schema.type": {"pt-BR": "{value} não é do tipo {type}", "en": "{value} is not of type {type}"},
    "schema.minLength": {"pt-BR": "{value} é curto demais (mínimo: {limit} caractere(s))", "en": "{value} is too short (at least {limit} character(s))"},
    "schema.maxLength": {"pt-BR": "{value} é longo demais (máximo: {limit} caractere(s))", "en": "{value} is too long (at most {limit} character(s))"},
    "schema.minItems": {"pt-BR": "a lista precisa de ao menos {limit} item(ns)", "en": "the list needs at least {limit} item(s)"},
    "schema.maxItems": {"pt-BR": "a lista aceita no máximo {limit} item(ns)", "en": "the list takes at most {limit} item(s)"},
    "schema.minimum": {"pt-BR": "{value} é menor que o mínimo {limit}", "en": "{value} is less than the minimum {limit}"},
    "schema.maximum": {"pt-BR": "{value} é maior que o máximo {limit}", "en": "{value} is more than the maximum {limit}"},
    "schema.exclusiveMinimum": {"pt-BR": "{value} precisa ser maior que {limit}", "en": "{value} must be more than {limit}"},
    "schema.pattern": {"pt-BR": "{value} não segue o padrão {limit}", "en": "{value} does not match the pattern {limit}"},
    "schema.const": {"pt-BR": "{value} deveria ser {limit}", "en": "{value} should be {limit}"},
    "schema.other": {"pt-BR": "{reason}", "en": "{reason}"},
    "exercise.schema": {
        "pt-BR": "{reason}",
        "en": "{reason}",
    },
    "exercise.duplicate_check": {
        "pt-BR": "o nome de verificação {name!r} já é usado na linha {line}; dê nomes únicos",
        "en": "check name {name!r} is already used on line {line}; give each check its own name",
    },
    "exercise.duplicate_id": {
        "pt-BR": "o id {id!r} já é usado por {other}; cada exercício precisa de um id único",
        "en": "id {id!r} is already used by {other}; each exercise needs its own id",
    },
    "exercise.no_files": {
        "pt-BR": "nenhum arquivo de exercício (.yaml) em {paths}; indique uma pasta com exercícios",
        "en": "no exercise file (.yaml) in {paths}; point at a folder of exercises",
    },
    "exercise.not_found": {
        "pt-BR": "{path} não existe; indique um arquivo ou pasta de exercícios",
        "en": "{path} does not exist; point at an exercise file or folder",
    },
    "usage.unknown_id": {
        "pt-BR": "exercício desconhecido: {id}; os mais próximos: {closest}. Veja `docker-grader list`",
        "en": "unknown exercise: {id}; closest: {closest}. See `docker-grader list`",
    },
    "usage.option": {
        "pt-BR": "opção inválida: {reason}. Veja `docker-grader --help`",
        "en": "invalid option: {reason}. See `docker-grader --help`",
    },
    "usage.github_output": {
        "pt-BR": "--github-output pede a variável GITHUB_OUTPUT, que o GitHub Actions define em cada passo; fora do Actions, use --format classroom",
        "en": "--github-output needs the GITHUB_OUTPUT variable, which GitHub Actions sets in each step; outside Actions, use --format classroom",
    },
    "usage.output": {
        "pt-BR": "não foi possível escrever {path}: {reason}",
        "en": "cannot write {path}: {reason}",
    },
    "daemon.unreachable": {
        "pt-BR": "o daemon Docker em {endpoint} não responde ({reason}). Inicie o Docker, ou indique outro com --host ou DOCKER_HOST",
        "en": "the Docker daemon at {endpoint} is not answering ({reason}). Start Docker, or point at another one with --host or DOCKER_HOST",
    },
    "daemon.permission": {
        "pt-BR": "sem permissão para acessar {endpoint}. Entre no grupo docker (`sudo usermod -aG docker $USER`, depois saia e entre de novo) ou use sudo",
        "en": "permission denied on {endpoint}. Join the docker group (`sudo usermod -aG docker $USER`, then log out and in) or use sudo",
    },
    "daemon.bad_host": {
        "pt-BR": "endereço de daemon inválido {endpoint!r}: {reason}. Use algo como unix:///var/run/docker.sock ou tcp://127.0.0.1:2375",
        "en": "invalid daemon address {endpoint!r}: {reason}. Use something like unix:///var/run/docker.sock or tcp://127.0.0.1:2375",
    },
    "daemon.bad_answer": {
        "pt-BR": "o daemon em {endpoint} deu uma resposta inesperada a {request}: {reason}",
        "en": "the daemon at {endpoint} gave an unexpected answer to {request}: {reason}",
    },
    "daemon.context": {
        "pt-BR": "o contexto docker {name!r} não existe ou não pode ser lido ({reason}); veja `docker context ls`",
        "en": "docker context {name!r} does not exist or cannot be read ({reason}); see `docker context ls`",
    },
    "lab.bad_name": {
        "pt-BR": "nome de laboratório inválido {name!r}: use letras minúsculas, dígitos, ., _ e - (até 40)",
        "en": "invalid lab name {name!r}: use lowercase letters, digits, ., _ and - (up to 40)",
    },
    "lab.long_path": {
        "pt-BR": "a pasta {path} é longa demais para o socket do daemon (até {limit} caracteres); escolha outra com --dir",
        "en": "folder {path} is too long for the daemon's socket (up to {limit} characters); choose another with --dir",
    },
    "lab.already_up": {
        "pt-BR": "o laboratório {name} já está no ar em {host}; nada foi mudado",
        "en": "lab {name} is up already at {host}; nothing was changed",
    },
    "lab.step_registry": {"pt-BR": "iniciando o registry local em {url}", "en": "starting the local registry at {url}"},
    "lab.step_images": {
        "pt-BR": "gravando {count} imagem(ns) no registry: {names}",
        "en": "storing {count} image(s) in the registry: {names}",
    },
    "lab.step_dockerd": {"pt-BR": "iniciando o dockerd em {socket}", "en": "starting dockerd at {socket}"},
    "lab.not_ready": {
        "pt-BR": "o {part} do laboratório não ficou pronto a tempo; as últimas linhas de {log} (apagado com o laboratório):\n{tail}",
        "en": "the lab's {part} did not get ready in time; the last lines of {log} (deleted with the lab):\n{tail}",
    },
    "lab.ready": {
        "pt-BR": "laboratório {name} pronto. Use-o com: eval \"$(docker-grader lab env {options})\" (DOCKER_HOST={host}); pare-o com: docker-grader lab down {options}",
        "en": "lab {name} is ready. Use it with: eval \"$(docker-grader lab env {options})\" (DOCKER_HOST={host}); stop it with: docker-grader lab down {options}",
    },
    "lab.step_down": {"pt-BR": "parando o laboratório {name}", "en": "stopping lab {name}"},
    "lab.stopped": {"pt-BR": "laboratório {name} parado e removido", "en": "lab {name} stopped and removed"},
    "lab.not_up": {
        "pt-BR": "o laboratório {name} não está no ar; inicie-o com `docker-grader lab up {options}`",
        "en": "lab {name} is not up; start it with `docker-grader lab up {options}`",
    },
    "lab.none": {"pt-BR": "nenhum laboratório", "en": "no lab"},
    # --- the lab's processes, lock and start (lab-caps) ---
    "lab.ended": {
        "pt-BR": "o {part} do laboratório terminou durante o início; as últimas linhas de {log} (apagado com o laboratório):\n{tail}",
        "en": "the lab's {part} ended while the lab was starting; the last lines of {log} (deleted with the lab):\n{tail}",
    },
    "lab.waiting": {
        "pt-BR": "outro `docker-grader lab` está mexendo no laboratório {name}; esperando ele terminar",
        "en": "another `docker-grader lab` is working on lab {name}; waiting for it to finish",
    },
    "lab.removed_all": {
        "pt-BR": "removidos: {labs} laboratório(s), e o que {runs} execução(ões) interrompida(s) deixaram (laboratório, sandbox, cgroups, pasta)",
        "en": "removed: {labs} lab(s), and what {runs} killed run(s) left (lab, sandbox, cgroups, folder)",
    },
    "lab.busy": {
        "pt-BR": "outro `docker-grader lab` ainda mexe no laboratório {name} depois de {seconds} s (trava {lock}); tente de novo quando ele terminar",
        "en": "another `docker-grader lab` is still working on lab {name} after {seconds} s (lock {lock}); try again when it has finished",
    },
    "run.exercise": {"pt-BR": "exercício {id}", "en": "exercise {id}"},
    "lab.arch": {
        "pt-BR": "o laboratório só sabe montar a imagem hello-world para x86-64, e esta máquina é {arch}",
        "en": "the lab can build its hello-world image for x86-64 only, and this machine is {arch}",
    },
    "lab.missing_program": {
        "pt-BR": "{program} não foi encontrado; instale o pacote {package} (o comando de instalação do README faz isso)",
        "en": "{program} was not found; install the {package} package (the README's setup command does it)",
    },
    "lab.registry": {
        "pt-BR": "o registry do laboratório não aceitou {url}: {reason}",
        "en": "the lab's registry did not accept {url}: {reason}",
    },
    "lab.isolation": {
        "pt-BR": "não foi possível isolar o laboratório (namespace de rede, tmpfs ou cgroups): {reason}. Rode como root numa máquina Linux com `unshare` e `nsenter` (util-linux) e `ip` (iproute2)",
        "en": "could not isolate the lab (network namespace, tmpfs or cgroups): {reason}. Run as root on a Linux machine with `unshare` and `nsenter` (util-linux) and `ip` (iproute2)",
    },
    "lab.no_userns": {
        "pt-BR": "aviso: sem useradd/userdel para criar o usuário próprio do laboratório, o dockerd do laboratório roda sem --userns-remap (root num container é root na máquina; o resto do isolamento continua)",
        "en": "warning: without useradd/userdel to create the lab's own user, the lab's dockerd runs without --userns-remap (root in a container is root on the host; the rest of the isolation holds)",
    },
    "lab.start_failed": {
        "pt-BR": "o laboratório em {endpoint} não conseguiu preparar o estado inicial do exercício: {reason}",
        "en": "the lab at {endpoint} could not set up the exercise's starting state: {reason}",
    },
    "submission.not_folder": {
        "pt-BR": "{path} não é uma pasta; indique a pasta com um arquivo de comandos por exercício",
        "en": "{path} is not a folder; point at the folder with one command file per exercise",
    },
    "submission.unknown_file": {
        "pt-BR": "o arquivo {path} não tem o nome de um exercício; os mais próximos: {closest}",
        "en": "file {path} is not named after an exercise; closest: {closest}",
    },
    "submission.two_files": {
        "pt-BR": "dois arquivos para o exercício {id}: {first} e {second}; mantenha um só",
        "en": "two files for exercise {id}: {first} and {second}; keep only one",
    },
    "submission.unreadable": {
        "pt-BR": "não foi possível ler {path}: {reason}",
        "en": "cannot read {path}: {reason}",
    },
    "submission.refused": {
        "pt-BR": "nenhum comando deste arquivo foi executado: a linha {line} foi recusada ({reason})",
        "en": "no command of this file was run: line {line} was refused ({reason})",
    },
    "submission.timeout": {
        "pt-BR": "a linha {line} passou do limite de {seconds} s e foi interrompida",
        "en": "line {line} ran past the {seconds} s limit and was stopped",
    },
    "submission.budget": {
        "pt-BR": "não executada: o tempo do exercício ou da correção acabou",
        "en": "not run: the exercise's or the grading's time ran out",
    },
    "submission.missing": {
        "pt-BR": "nenhum arquivo de comandos para este exercício",
        "en": "no command file for this exercise",
    },
    "policy.binary": {"pt-BR": "o arquivo não é texto", "en": "the file is not text"},
    "policy.too_many": {"pt-BR": "mais de {limit} comandos", "en": "more than {limit} commands"},
    "policy.too_large": {"pt-BR": "o arquivo passa de {limit} bytes", "en": "the file is over {limit} bytes"},
    "policy.shell": {
        "pt-BR": "sintaxe de shell ({what}) não é aceita: escreva um comando docker por linha, sem ;, |, &&, redirecionamentos ou $(...)",
        "en": "shell syntax ({what}) is not accepted: write one docker command per line, without ;, |, &&, redirections or $(...)",
    },
    "policy.quoting": {"pt-BR": "aspas sem fechar ({reason})", "en": "unbalanced quotes ({reason})"},
    "policy.empty": {"pt-BR": "linha vazia", "en": "empty line"},
    "policy.program": {
        "pt-BR": "{program!r} não é o docker: só comandos `docker ...` e `docker-compose ...` são executados",
        "en": "{program!r} is not docker: only `docker ...` and `docker-compose ...` commands are run",
    },
    "policy.flag": {
        "pt-BR": "a opção {flag} aponta para outro daemon; os comandos rodam só no laboratório",
        "en": "option {flag} points at another daemon; commands run in the lab only",
    },
    "policy.cannot_run": {"pt-BR": "não foi possível executar: {reason}", "en": "cannot run: {reason}"},
    "daemon.lost": {
        "pt-BR": "o daemon Docker em {endpoint} parou de responder durante a correção ({reason})",
        "en": "the Docker daemon at {endpoint} stopped answering during grading ({reason})",
    },
    # --- self-check (issue 21): the command line's manners, `show` and the pointers to it ---
    "usage.unknown_command": {
        "pt-BR": "comando desconhecido: {command}; o mais próximo: {closest}. Veja `docker-grader --help`",
        "en": "unknown command: {command}; closest: {closest}. See `docker-grader --help`",
    },
    "show.points": {
        "pt-BR": "{points} pontos, em {checks} verificação(ões):",
        "en": "{points} points, in {checks} check(s):",
    },
    "show.check": {"pt-BR": "  - {name}: {points} ponto(s)", "en": "  - {name}: {points} point(s)"},
    "show.how": {
        "pt-BR": "Faça o exercício e confira com `docker-grader check {id}` (ou deixe `docker-grader watch` acompanhando)",
        "en": "Do the exercise and check it with `docker-grader check {id}` (or leave `docker-grader watch` following)",
    },
    "list.show": {
        "pt-BR": "As instruções de um exercício: `docker-grader show ID`",
        "en": "An exercise's instructions: `docker-grader show ID`",
    },
    "report.instructions": {
        "pt-BR": "instruções: `docker-grader show {id}`",
        "en": "instructions: `docker-grader show {id}`",
    },
    # --- import structure (issue 24): what the report writers say themselves, whoever graded ---
    "progress.earlier": {
        "pt-BR": "✔ passou antes, às {time}",
        "en": "✔ passed earlier, at {time}",
    },
    # --- faults and bad input: interruptions, bad exercise files, bad options, bad daemon answers ---
    "run.interrupted": {
        "pt-BR": "interrompido por {signal} depois de {graded} de {planned} exercício(s); os corrigidos foram mantidos, os outros não foram corrigidos",
        "en": "interrupted by {signal} after {graded} of {planned} exercise(s); those graded are kept, the others were not graded",
    },
    "daemon.bad_shape": {
        "pt-BR": "o daemon em {endpoint} respondeu a {request} com um JSON fora do formato da Engine API: {where} devia ser {expected}. Esse daemon não é um Docker que o corretor conheça",
        "en": "the daemon at {endpoint} answered {request} with JSON not shaped as the Engine API's: {where} should be {expected}. That daemon is not a Docker the grader knows",
    },
    "shape.string": {"pt-BR": "um texto", "en": "a string"},
    "shape.strings": {"pt-BR": "uma lista de textos", "en": "a list of strings"},
    "shape.number": {"pt-BR": "um número", "en": "a number"},
    "shape.boolean": {"pt-BR": "true ou false", "en": "true or false"},
    "shape.list": {"pt-BR": "uma lista", "en": "a list"},
    "shape.object": {"pt-BR": "um objeto", "en": "an object"},
    "shape.objects": {"pt-BR": "uma lista de objetos", "en": "a list of objects"},
    "shape.labels": {"pt-BR": "um objeto de textos", "en": "an object of strings"},
    # --- shapes of a container inspect's port bindings (checks.snapshot._port_bindings) ---
    "shape.port_key": {"pt-BR": "uma porta e um protocolo, como 80/tcp", "en": "a port and a protocol, like 80/tcp"},
    "shape.port_text": {"pt-BR": "um número de porta em texto, ou vazio", "en": "a port number as a string, or empty"},
    "daemon.too_large": {
        "pt-BR": "o daemon em {endpoint} deu uma resposta grande demais a {request} (mais de {limit} bytes); a leitura parou ali",
        "en": "the daemon at {endpoint} gave an answer too large to {request} (over {limit} bytes); reading stopped there",
    },
    "exercise.scalar_date": {
        "pt-BR": "{value} é lido pelo YAML como uma data, que um exercício não guarda; ponha entre aspas para ser texto",
        "en": "{value} is read by YAML as a date, which an exercise cannot hold; quote it to make it text",
    },
    "exercise.scalar_binary": {
        "pt-BR": "{value} é um dado binário (!!binary), que um exercício não guarda; escreva o texto sem a tag",
        "en": "{value} is binary data (!!binary), which an exercise cannot hold; write the text without the tag",
    },
    "exercise.scalar_number": {
        "pt-BR": "{value} não é um número finito (NaN ou infinito); escreva um número, como 1 ou 2.5",
        "en": "{value} is not a finite number (NaN or infinity); write a number such as 1 or 2.5",
    },
    "exercise.too_deep": {
        "pt-BR": "o texto pode aninhar mais de {limit} níveis (colchetes, chaves, recuo); simplifique-o",
        "en": "the text may nest more than {limit} levels (brackets, braces, indentation); simplify it",
    },
    "exercise.link": {
        "pt-BR": "é um link simbólico (para {target}); um exercício deve ser um arquivo comum dentro da pasta: copie-o para ela",
        "en": "is a symbolic link (to {target}); an exercise must be a regular file in the folder: copy it in",
    },
    "exercise.special": {
        "pt-BR": "não é um arquivo comum ({type}); um exercício deve ser um arquivo comum: renomeie ou remova este",
        "en": "is not a regular file ({type}); an exercise must be a regular file: rename or remove this one",
    },
}


@dataclass(frozen=True)
class Message:
    """A user-facing message: a catalog key and the values of its fields."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        texts = CATALOG[self.key]
        template = texts.get(lang) or texts[DEFAULT_LANG]
        values = {name: _render_value(value, lang) for name, value in self.params.items()}
        return template.format(**values)


def _render_value(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_render_value(item, lang)) for item in value)
    return value


def register(catalog: Mapping[str, Mapping[str, str]]) -> None:
    """Adds a module's own messages (each key in pt-BR and en) to the catalog. The module that owns
    them calls it as it is imported (``register(MESSAGES)``: a check kind's messages live beside its
    code), so a key exists once its owner is imported, and whoever builds or renders a message has
    imported its owner. This module imports no part of the grader: it is the bottom layer."""
    for key, texts in catalog.items():
        if key in CATALOG and CATALOG[key] != texts:
            raise KeyError(f"message {key!r} is defined twice")
        CATALOG[key] = dict(texts)


def msg(key: str, /, **params: Any) -> Message:
    """Builds a Message; an unknown key is a bug (or its owner is not imported yet), so it fails at once."""
    if key not in CATALOG:
        raise KeyError(f"no message {key!r} in the catalog")
    return Message(key, params)


def closest(word: str, choices, n: int = 3) -> list[str]:
    """The names most like ``word``, for "did you mean ...?"; the first few names when none is close."""
    import difflib

    return difflib.get_close_matches(word, list(choices), n=n, cutoff=0.3) or sorted(choices)[:n]


def placeholders(template: str) -> set[str]:
    """The field names a template uses, to compare translations."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def normalise_lang(value: str | None) -> str | None:
    """'pt_BR.UTF-8', 'pt', 'en_US' ... to one of LANGS, or None."""
    if not value:
        return None
    code = value.split(".")[0].split("@")[0].replace("_", "-").lower()
    if code.startswith("pt"):
        return "pt-BR"
    if code.startswith("en"):
        return "en"
    return None


def detect_lang(environ: Mapping[str, str] | None = None, default: str = DEFAULT_LANG) -> str:
    """The language from LANGUAGE (the first of its list we speak), then the first of LC_ALL,
    LC_MESSAGES and LANG that is set; ``default`` when they name none we speak (C, POSIX, C.UTF-8)."""
    environ = os.environ if environ is None else environ
    for item in (environ.get("LANGUAGE") or "").split(":"):
        if normalise_lang(item):
            return normalise_lang(item)
    locale = next((environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), "")
    return normalise_lang(locale) or default
