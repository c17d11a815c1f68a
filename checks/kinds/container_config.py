"""The keys of a container check that its inspect answers (one request per selected container):
how it was run (``env``, ``restart``, ``command``, ``entrypoint``, ``user``, ``tty``, ``open_stdin``)
and whether it was ``started_again``."""

from __future__ import annotations

from typing import Mapping

from checks.kinds.expected import PAIR_VALUE, pair_holds, shown_expected
from checks.kinds.judging import Judge, differs, flag, inspected
from checks.messages import msg
from checks.snapshot import Container, Snapshot

ZERO_TIME = "0001-01-01T00:00:00Z"  # State.FinishedAt of a container that never stopped

ENV = {
    "type": "object",
    "minProperties": 1,
    "description": "Environment variables (Config.Env, -e): a text is the exact value, true that the variable is set "
    "(to anything, even empty), false that it is not set, {not: text} that it is not set or set to another value. "
    "Quote numbers: \"1.10\".",
    "additionalProperties": PAIR_VALUE,
    "propertyNames": {"pattern": "^[^=]+$"},
    "examples": [{"MYSQL_ROOT_PASSWORD": "secret", "DEBUG": True, "OLD_SETTING": False}, {"APP_ENV": {"not": "development"}}],
}

RESTART = {
    "description": "The restart policy (--restart, HostConfig.RestartPolicy): its name, or the name and "
    "max_retries (for on-failure).",
    "type": ["string", "object"],
    "if": {"type": "string"},
    "then": {"enum": ["no", "always", "unless-stopped", "on-failure"]},
    "else": {
        "properties": {
            "name": {"enum": ["no", "always", "unless-stopped", "on-failure"]},
            "max_retries": {"type": "integer", "minimum": 0},
        },
        "required": ["name"],
        "additionalProperties": False,
    },
    "examples": ["unless-stopped", {"name": "on-failure", "max_retries": 3}],
}

COMMAND = {
    "description": "The command (Config.Cmd): the arguments given after the image, or the image's CMD. A list is "
    "compared item by item; a text with the list joined by spaces.",
    "type": ["array", "string"],
    "items": {"type": "string"},
    "examples": [["sleep", "3600"], "sleep 3600"],
}

ENTRYPOINT = {
    "description": "The entrypoint (Config.Entrypoint, --entrypoint or the image's ENTRYPOINT); [] for none. "
    "A list is compared item by item; a text with the list joined by spaces.",
    "type": ["array", "string"],
    "items": {"type": "string"},
    "examples": [["/docker-entrypoint.sh"], []],
}

USER = {
    "type": "string",
    "description": "The user it runs as (Config.User, -u), as given: `1000`, `1000:1000`, `node`; \"\" for the image's default.",
    "examples": ["1000:1000", "node"],
}

TTY = {"type": "boolean", "description": "Started with a terminal (-t, Config.Tty).", "examples": [True]}

OPEN_STDIN = {"type": "boolean", "description": "Started with stdin kept open (-i, Config.OpenStdin).", "examples": [True]}

STARTED_AGAIN = {
    "type": "boolean",
    "description": "The same container was started again after it stopped (`docker start`, `docker restart`, or its "
    "restart policy), rather than a new one being created: it ran, finished, and runs again (State.StartedAt after "
    "State.FinishedAt), or its RestartCount is above 0. A container stopped again after its second start only "
    "shows the RestartCount.",
    "examples": [True],
}


def _env(wanted: Mapping, container: Container, snapshot: Snapshot):
    values = dict(item.partition("=")[::2] for item in inspected(container, snapshot)["Config"]["Env"] or ())
    for name, value in wanted.items():
        have = values.get(name)
        if not pair_holds(value, have):
            expected = (f"{name}=…" if value is True else msg("container.unset") if value is False
                        else shown_expected(value) if isinstance(value, Mapping) else f"{name}={value}")
            return expected, msg("container.unset") if have is None else f"{name}={have}"
    return None


def _restart(wanted, container: Container, snapshot: Snapshot):
    policy = inspected(container, snapshot)["HostConfig"]["RestartPolicy"]
    name, retries = policy["Name"] or "no", policy["MaximumRetryCount"]
    wanted = {"name": wanted} if isinstance(wanted, str) else wanted
    ok = name == wanted["name"] and wanted.get("max_retries", retries) == retries
    return differs(_show_restart(wanted["name"], wanted.get("max_retries")), _show_restart(name, retries), ok)


def _show_restart(name: str, retries: int | None) -> str:
    """As --restart writes it: on-failure:3."""
    return f"{name}:{retries}" if name == "on-failure" and retries is not None else name


def _argv(wanted, have: list) -> tuple | None:
    """A list compared item by item; a text with the list joined by spaces."""
    ok = have == wanted if isinstance(wanted, list) else " ".join(have) == wanted
    return differs(repr(wanted), repr(have), ok)


def _command(wanted, container: Container, snapshot: Snapshot):
    return _argv(wanted, inspected(container, snapshot)["Config"]["Cmd"] or [])


def _entrypoint(wanted, container: Container, snapshot: Snapshot):
    return _argv(wanted, inspected(container, snapshot)["Config"]["Entrypoint"] or [])


def _user(wanted: str, container: Container, snapshot: Snapshot):
    have = inspected(container, snapshot)["Config"]["User"]
    return differs(repr(wanted), repr(have), have == wanted)


def _tty(wanted: bool, container: Container, snapshot: Snapshot):
    have = inspected(container, snapshot)["Config"]["Tty"]
    return differs(flag(wanted), flag(have), have == wanted)


def _open_stdin(wanted: bool, container: Container, snapshot: Snapshot):
    have = inspected(container, snapshot)["Config"]["OpenStdin"]
    return differs(flag(wanted), flag(have), have == wanted)


def _started_again(wanted: bool, container: Container, snapshot: Snapshot):
    answer = inspected(container, snapshot)
    state = answer["State"]
    # RFC 3339 in UTC, trailing zeros of the fraction dropped: without the Z, two compare as text.
    ran_again = state["FinishedAt"] != ZERO_TIME and state["StartedAt"].removesuffix("Z") > state["FinishedAt"].removesuffix("Z")
    again = answer["RestartCount"] > 0 or ran_again
    return differs(flag(wanted), flag(again), again == wanted)


JUDGES = {
    "env": Judge(ENV, _env),
    "restart": Judge(RESTART, _restart),
    "command": Judge(COMMAND, _command),
    "entrypoint": Judge(ENTRYPOINT, _entrypoint),
    "user": Judge(USER, _user),
    "tty": Judge(TTY, _tty),
    "open_stdin": Judge(OPEN_STDIN, _open_stdin),
    "started_again": Judge(STARTED_AGAIN, _started_again),
}
