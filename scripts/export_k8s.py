"""Write deploy/k8s/base from the code: one folder per deployable, named, ported and configured as the
Procfile and the settings classes say, so the manifests cannot drift from the code (``--check`` fails CI
when the committed files differ).

Each deployable gets a ServiceAccount (no token), a Deployment (non-root, read-only root filesystem, no
privilege escalation, all capabilities dropped, seccomp RuntimeDefault, requests and limits, startup,
readiness and liveness probes, a preStop pause inside the grace period), a Service, a
HorizontalPodAutoscaler, a PodDisruptionBudget, a NetworkPolicy and a migration Job; the Deployment's
init container waits until the Job has brought the database to head, so pods of a new version never
serve an old schema.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "deploy" / "k8s" / "base"
IMAGE = "registry.example/sunlight"  # overlays set the registry and the tag (kustomize `images:`)
PART_OF = {"app.kubernetes.io/part-of": "sunlight"}


def deployables() -> dict[str, int]:
    """Name → port, from the settings classes (the gateway's port is ``gateway_port``)."""
    from approvals.settings import ApprovalsSettings
    from complaints.settings import ComplaintsSettings
    from funds.settings import FundsSettings
    from gateway.settings import GatewaySettings
    from integrity.settings import IntegritySettings
    from tenders.settings import TendersSettings

    ports = {"gateway": GatewaySettings.model_fields["gateway_port"].default}
    for cls in (FundsSettings, TendersSettings, ApprovalsSettings, ComplaintsSettings, IntegritySettings):
        ports[cls.service_name] = cls.model_fields["port"].default
    return ports


def procfile_names() -> list[str]:
    names = []
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if "sunlight-" in command:
            names.append(name.strip())
    return names


def labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, **PART_OF}


def container_security() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def env_for(name: str) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [
        {
            "name": f"SUNLIGHT_{name.upper()}_DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": "sunlight-databases", "key": name}},
        },
    ]
    if name == "gateway":
        env.append({"name": "SUNLIGHT_GATEWAY_HOST", "value": "0.0.0.0"})  # noqa: S104 - inside its pod
    else:
        env.append({"name": "SUNLIGHT_HOST", "value": "0.0.0.0"})  # noqa: S104 - inside its pod
    return env


def container(name: str, port: int, args: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "image": f"{IMAGE}-{name}",
        "args": args,
        "envFrom": [{"configMapRef": {"name": "sunlight-settings"}}, {"secretRef": {"name": "sunlight-secrets"}}],
        "env": env_for(name),
        "securityContext": container_security(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108 - an emptyDir, not the image's
    }


def deployment(name: str, port: int) -> dict[str, Any]:
    main = container(name, port, ["serve"])
    main["ports"] = [{"name": "http", "containerPort": port}]
    main["resources"] = {
        "requests": {"cpu": "100m", "memory": "192Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    }
    main["startupProbe"] = {
        "httpGet": {"path": "/healthz", "port": "http"},
        "periodSeconds": 2,
        "failureThreshold": 30,
    }
    # readiness: database and bus reachable (and the working-day calendar covering today: a warning on /readyz)
    main["readinessProbe"] = {
        "httpGet": {"path": "/readyz", "port": "http"},
        "periodSeconds": 5,
        "failureThreshold": 3,
    }
    # liveness: the event loop answers; no database check, so a database outage does not restart every pod
    main["livenessProbe"] = {
        "httpGet": {"path": "/healthz", "port": "http"},
        "periodSeconds": 10,
        "timeoutSeconds": 3,
        "failureThreshold": 6,
    }
    # the endpoint is removed from the Service while the pod still answers, then uvicorn drains (20 s) within 30 s
    main["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", "5"]}}}
    wait = container(name, port, ["migrated", "--wait", "600"])
    wait["name"] = "wait-for-migrations"
    wait["resources"] = {"requests": {"cpu": "50m", "memory": "96Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {
            "replicas": 1,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": labels(name)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {
                    "labels": labels(name),
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(port),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    "serviceAccountName": name,
                    "automountServiceAccountToken": False,
                    "terminationGracePeriodSeconds": 30,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 10001,
                        "runAsGroup": 10001,
                        "fsGroup": 10001,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "initContainers": [wait],
                    "containers": [main],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
                },
            },
        },
    }


def migration_job(name: str, port: int) -> dict[str, Any]:
    job = container(name, port, ["migrate"])
    job["name"] = "migrate"
    job["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": f"{name}-migrate", "labels": {**labels(name), "app.kubernetes.io/component": "migration"}},
        "spec": {
            "backoffLimit": 6,
            "ttlSecondsAfterFinished": 86400,
            "template": {
                "metadata": {"labels": {**labels(name), "app.kubernetes.io/component": "migration"}},
                "spec": {
                    "serviceAccountName": name,
                    "automountServiceAccountToken": False,
                    "restartPolicy": "OnFailure",
                    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [job],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
                },
            },
        },
    }


def network_policy(name: str, port: int) -> dict[str, Any]:
    if name == "gateway":
        # from the ingress controller only (overlays name its namespace) and Prometheus
        sources = [
            {"namespaceSelector": {"matchLabels": {"sunlight.example/ingress": "true"}}},
            {"namespaceSelector": {"matchLabels": {"sunlight.example/monitoring": "true"}}},
        ]
    else:
        # the API only through the gateway; events arrive over NATS, so no other service calls it
        sources = [
            {"podSelector": {"matchLabels": labels("gateway")}},
            {"namespaceSelector": {"matchLabels": {"sunlight.example/monitoring": "true"}}},
        ]
    egress: list[dict[str, Any]] = [
        {"ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},  # DNS
        {"ports": [{"protocol": "TCP", "port": 5432}]},  # its PostgreSQL
        {"ports": [{"protocol": "TCP", "port": 4222}]},  # NATS
    ]
    if name == "gateway":
        egress.append(
            {
                "to": [{"podSelector": {"matchLabels": PART_OF}}],
                "ports": [{"protocol": "TCP", "port": p} for n, p in deployables().items() if n != "gateway"],
            }
        )
        egress.append({"ports": [{"protocol": "TCP", "port": 6379}]})  # the shared rate-limit counters (Redis)
    else:
        egress.append(
            {"to": [{"podSelector": {"matchLabels": labels("gateway")}}], "ports": [{"protocol": "TCP", "port": 8000}]}
        )  # the gateway's JWKS
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "labels": labels(name)},
        "spec": {
            "podSelector": {"matchLabels": labels(name)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": sources, "ports": [{"protocol": "TCP", "port": port}]}],
            "egress": egress,
        },
    }


def resources(name: str, port: int) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": name, "labels": labels(name)},
            "automountServiceAccountToken": False,
        },
        deployment(name, port),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "labels": labels(name)},
            "spec": {"selector": labels(name), "ports": [{"name": "http", "port": port, "targetPort": "http"}]},
        },
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "labels": labels(name)},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                "minReplicas": 1,
                "maxReplicas": 6,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                    }
                ],
            },
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": name, "labels": labels(name)},
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels(name)}},
        },
        network_policy(name, port),
        migration_job(name, port),
    ]


def render() -> dict[Path, str]:
    files: dict[Path, str] = {}
    names = deployables()
    missing = set(procfile_names()) ^ set(names)
    if missing:
        raise SystemExit(f"the Procfile and the settings classes disagree on the deployables: {sorted(missing)}")
    header = "# generated by scripts/export_k8s.py from the settings classes and the Procfile; do not edit\n"
    for name, port in names.items():
        docs = resources(name, port)
        files[BASE / name / "resources.yaml"] = header + yaml.safe_dump_all(docs, sort_keys=False, width=120)
        files[BASE / name / "kustomization.yaml"] = header + yaml.safe_dump(
            {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": ["resources.yaml"]},
            sort_keys=False,
        )
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when the committed files differ")
    args = parser.parse_args()
    stale = []
    for path, text in render().items():
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        sys.exit("deploy/k8s/base is stale (run `make k8s`): " + ", ".join(stale))


if __name__ == "__main__":
    main()
