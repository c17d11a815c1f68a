"""docker-grader: grades Docker course exercises by inspecting a real daemon.

The flow: ``exercises.load`` → ``daemon.read_snapshot`` → each check kind's
``evaluate`` → ``Report`` → a writer per format. The CLI and the pytest plugin
grade through the same engine (``grading``); each still turns the grader's errors into a Report
and an exit code of its own (issue 24).

This file imports nothing, so that any module (a check kind, say) can import a part of
the grader without pulling in the rest: import what you use from its own module
(``checks.model``, ``checks.results``, ``checks.grading``, ``checks.errors`` ...).
"""
