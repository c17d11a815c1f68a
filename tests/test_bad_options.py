"""Time limits that are not positive finite numbers are usage errors (exit 2) before anything starts."""

from __future__ import annotations

import pytest

from checks import cli

from conftest import EXERCISES


@pytest.mark.parametrize("option", ["--timeout", "--exercise-timeout", "--run-timeout"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-5", "-1", "0.0", "ten", ""])
def test_a_time_limit_must_be_a_positive_finite_number(tmp_path, capsys, monkeypatch, option, value):
    from checks import runner

    started = []
    monkeypatch.setattr(runner, "run", lambda *args, **kwargs: started.append(args))  # no lab may start
    code = cli.main(["run", str(tmp_path), f"{option}={value}", "--lang", "en", "--exercises", str(EXERCISES)])
    err = capsys.readouterr().err
    assert code == 2 and started == []
    assert f"invalid option: argument {option}: {value!r}: expected a positive number of seconds" in err


@pytest.mark.parametrize("value, seconds", [("0.5", 0.5), ("60", 60.0), ("1e3", 1000.0)])
def test_a_positive_time_limit_is_taken(value, seconds):
    assert cli.seconds(value) == seconds
