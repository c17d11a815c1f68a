"""The course catalog's 13 checks, decided from facts each approach gathers with its own API.

A container is (name, its image ID, the image reference it was created with, exit code or None);
an image is (ID, tags, digests). ``logs(name)`` returns a container's logs. The verdicts must equal the
grader's: the benchmark compares them.
"""

from __future__ import annotations

GREETING = "Hello from Docker!"


def verdicts(containers, images, logs) -> dict[str, bool]:
    def image(reference):
        return next((i for i in images if reference in i[1]), None)

    def pulled(reference):
        found = image(reference)
        return bool(found) and any(d.split("@")[0] == reference.split(":")[0] for d in found[2])

    def created_from(container, reference):
        found = image(reference)
        typed = {reference, reference.removesuffix(":latest")}
        return container[2] in typed or (found is not None and container[1] == found[0])

    hello = [c for c in containers if created_from(c, "hello-world:latest")]
    alpine = [c for c in containers if created_from(c, "alpine:3.14")]
    greeted = [logs(c[0]) for c in hello]
    return {
        "run-hello-world::image-pulled": pulled("hello-world:latest"),
        "run-hello-world::container-created": len(hello) >= 1,
        "run-hello-world::greeting-shown": any(c[3] == 0 and GREETING in text for c, text in zip(hello, greeted)),
        "pull-alpine::alpine-pulled": pulled("alpine:3.14"),
        "pull-alpine::not-run": len(alpine) == 0,
        "two-containers-one-image::two-containers": len(hello) == 2,
        "two-containers-one-image::both-exited-0": bool(hello) and all(c[3] == 0 for c in hello),
        "two-containers-one-image::both-greeted": bool(hello) and all(GREETING in text for text in greeted),
        "two-containers-one-image::one-image": sum(any(t.startswith("hello-world:") for t in i[1]) for i in images) == 1,
        "remove-containers::no-container-left": len(hello) == 0,
        "remove-containers::image-kept": image("hello-world:latest") is not None,
        "remove-images::alpine-removed": image("alpine:3.14") is None,
        "remove-images::hello-world-removed": image("hello-world:latest") is None,
    }
