"""docker-grader: grades Docker course exercises by inspecting a real daemon.

The flow: ``exercises.load`` → ``daemon.read_snapshot`` → each check kind's
``evaluate`` → ``Report`` → a writer per format. The CLI and the pytest plugin
are thin front ends over ``grading``.

This file imports nothing, so that any module (a check kind, say) can import a part of
the grader without pulling in the rest: import what you use from its own module
(``checks.model``, ``checks.results``, ``checks.grading``, ``checks.errors`` ...).
"""
