"""The API boundary: every request a submission sends to its lab passes an allowlist first.

    binds.py     which bind sources are the submission's own files, and their real paths
    rules.py     the allowlist, as data (method, path → rule), and the pure body rules
    proxy.py     the unix-socket server that applies it in front of the lab's dockerd
    messages.py  the refusals' texts, in pt-BR and en

The grader's own requests (snapshots, starting states) go to dockerd's socket directly;
only the sandboxed docker CLI is given the boundary's socket. The rest of the grader
does not know the boundary is there.
"""

from checks.boundary.binds import SubmissionCopy
from checks.boundary.proxy import Boundary, container_counter
from checks.boundary.rules import Context, Limits

__all__ = ["Boundary", "Context", "Limits", "SubmissionCopy", "container_counter"]
