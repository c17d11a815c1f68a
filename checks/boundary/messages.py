"""What the boundary tells a student whose request it refused, in pt-BR and en.

The reason reaches the student as the docker CLI's own error line
(``Error response from daemon: ...``), so it names the field and the value and
says what the lab accepts instead.
"""

from __future__ import annotations

from checks import messages
from checks.messages import msg

MESSAGES = {
    "boundary.refused": {
        "pt-BR": "docker-grader recusou este pedido: {reason}",
        "en": "docker-grader refused this request: {reason}",
    },
    "boundary.endpoint": {
        "pt-BR": "{method} {path} não está entre as operações aceitas no laboratório",
        "en": "{method} {path} is not one of the operations the lab accepts",
    },
    "boundary.field": {
        "pt-BR": "{field} = {value} não é aceito no laboratório",
        "en": "{field} = {value} is not accepted in the lab",
    },
    "boundary.namespace": {
        "pt-BR": "{field} = {value} daria ao container um recurso da máquina; use os do próprio laboratório",
        "en": "{field} = {value} would give the container part of the host; use the lab's own",
    },
    "boundary.bind": {
        "pt-BR": "montar {source} da máquina não é aceito; use um volume nomeado (`-v nome:/caminho`)",
        "en": "mounting {source} from the host is not accepted; use a named volume (`-v name:/path`)",
    },
    "boundary.mount_type": {
        "pt-BR": "montagens do tipo {type} não são aceitas; use `type=volume` ou `type=tmpfs`",
        "en": "mounts of type {type} are not accepted; use `type=volume` or `type=tmpfs`",
    },
    "boundary.volume_options": {
        "pt-BR": "as opções de volume {options} montariam um caminho ou dispositivo da máquina; só volumes locais sem opções (ou tmpfs) são aceitos",
        "en": "volume options {options} would mount a path or device of the host; only local volumes without options (or tmpfs) are accepted",
    },
    "boundary.port_host": {
        "pt-BR": "a porta {port} publicada em {host}: publique em todas as interfaces ou em 127.0.0.1",
        "en": "port {port} published on {host}: publish on all interfaces or on 127.0.0.1",
    },
    "boundary.log_driver": {
        "pt-BR": "o driver de logs {driver} envia logs para fora do laboratório; use json-file ou local",
        "en": "log driver {driver} sends logs out of the lab; use json-file or local",
    },
    "boundary.limit": {
        "pt-BR": "{field} = {value} passa do limite do laboratório ({limit})",
        "en": "{field} = {value} is over the lab's limit ({limit})",
    },
    "boundary.too_many": {
        "pt-BR": "o laboratório já tem o máximo de {what} ({limit}); remova alguns antes",
        "en": "the lab already holds the most {what} it allows ({limit}); remove some first",
    },
    "boundary.registry": {
        "pt-BR": "{reference} vem do registry {registry}, que o laboratório não alcança; use imagens do Docker Hub (servidas pelo laboratório)",
        "en": "{reference} comes from registry {registry}, which the lab does not reach; use Docker Hub images (served by the lab)",
    },
    "boundary.import_url": {
        "pt-BR": "importar de {source} não é aceito; importe um arquivo da sua entrega (`docker import arquivo.tar`)",
        "en": "importing from {source} is not accepted; import a file of your submission (`docker import file.tar`)",
    },
    "boundary.build_remote": {
        "pt-BR": "construir a partir de {remote} não é aceito; use uma pasta da sua entrega como contexto",
        "en": "building from {remote} is not accepted; use a folder of your submission as the context",
    },
    "boundary.bad_body": {
        "pt-BR": "pedido malformado: {reason}",
        "en": "malformed request: {reason}",
    },
    "boundary.bad_request": {
        "pt-BR": "pedido HTTP recusado: {reason}",
        "en": "HTTP request refused: {reason}",
    },
    # --- the lab as a Docker host: binds of the submission's own files, the lab's Docker Hub ---
    "boundary.bind_outside": {
        "pt-BR": "montar {source} não é aceito: só arquivos e pastas da sua entrega (`-v ./pasta:/caminho`, "
        "sem links que saiam dela) ou volumes nomeados (`-v nome:/caminho`)",
        "en": "mounting {source} is not accepted: only files and folders of your submission (`-v ./folder:/path`, "
        "with no links leading out of it) or named volumes (`-v name:/path`)",
    },
    "boundary.push_all_tags": {
        "pt-BR": "`docker push --all-tags {name}` não é aceito no laboratório; envie uma tag por vez (`docker push {name}:tag`)",
        "en": "`docker push --all-tags {name}` is not accepted in the lab; push one tag at a time (`docker push {name}:tag`)",
    },
    "boundary.bind_mode": {
        "pt-BR": "a opção {mode} da montagem de {source} não é aceita; use `ro` ou `rw`",
        "en": "option {mode} of the mount of {source} is not accepted; use `ro` or `rw`",
    },
}

messages.register(MESSAGES)

__all__ = ["MESSAGES", "msg"]
