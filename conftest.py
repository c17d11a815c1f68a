"""pytest wiring: `pytest exercises` grades the daemon through the docker-grader plugin.

The project's own tests live in tests/ and never collect exercise files as grading
items: the plugin only collects YAML files under the `grader_exercises` folder.
"""

pytest_plugins = ["checks.pytest_plugin"]
