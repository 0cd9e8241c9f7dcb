"""The Kubernetes manifests, checked offline: both overlays render, every object is valid against the
Kubernetes schemas, and our own policies hold (limits, probes, non-root, read-only root filesystem, a
NetworkPolicy and a PDB for everything, pinned images, ports and settings that match the code)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.32.0"  # the oldest version we support; a field it lacks must not be used
CRDS = {"PrometheusRule"}  # not in the Kubernetes schemas: checked by test_alerts_use_metrics_we_export
WORKLOADS = {"Deployment", "StatefulSet", "Job"}

sys.path.insert(0, str(ROOT / "scripts"))
import export_k8s  # noqa: E402


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        if os.environ.get("SUNLIGHT_REQUIRE_KUBECTL"):
            pytest.fail("kubectl (with its built-in kustomize) is required here: SUNLIGHT_REQUIRE_KUBECTL is set")
        pytest.skip("kubectl is not installed: the manifests are rendered and validated where it is (CI)")
    return found


@cache
def render(overlay: str) -> tuple[dict[str, Any], ...]:
    done = subprocess.run(
        [kubectl(), "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["spec"]["template"]["spec"]


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def settings_map(objects: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    maps = [o for o in objects if o["kind"] == "ConfigMap"]
    return next(o for o in maps if o["metadata"]["name"].startswith("sunlight-settings"))


def test_the_base_is_what_the_code_says():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "export_k8s.py"), "--check"], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_kubernetes(overlay: str):
    errors = []
    for obj in render(overlay):
        if obj["kind"] in CRDS:
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}")
    assert errors == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_locked_down_with_limits_and_probes(overlay: str):
    problems = []
    for obj in render(overlay):
        if obj["kind"] not in WORKLOADS:
            continue
        spec = pod_spec(obj)
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{name}: mounts a service account token")
        pod_security = spec.get("securityContext", {})
        if pod_security.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{name}: no RuntimeDefault seccomp profile")
        for c in spec.get("initContainers", []) + spec["containers"]:
            where = f"{name}/{c['name']}"
            limits = c.get("resources", {}).get("limits", {})
            if not {"cpu", "memory"} <= set(limits):
                problems.append(f"{where}: no cpu and memory limits")
            sc = c.get("securityContext", {})
            if not (sc.get("runAsNonRoot") or pod_security.get("runAsNonRoot")):
                problems.append(f"{where}: may run as root")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: writable root filesystem")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: privilege escalation allowed")
            if sc.get("capabilities", {}).get("drop") != ["ALL"]:
                problems.append(f"{where}: capabilities not all dropped")
            image = c["image"]
            if ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
                problems.append(f"{where}: image {image} has no pinned tag")
        if obj["kind"] != "Job":
            for c in spec["containers"]:
                for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                    if probe not in c:
                        problems.append(f"{name}/{c['name']}: no {probe}")
    assert problems == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_has_a_network_policy_and_a_disruption_budget(overlay: str):
    objects = render(overlay)
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    budgets = [o for o in objects if o["kind"] == "PodDisruptionBudget"]
    assert any(p["spec"]["podSelector"] == {} and p["spec"].get("ingress") is None for p in policies), "no default deny"
    missing = []
    for obj in objects:
        if obj["kind"] not in {"Deployment", "StatefulSet"}:
            continue
        labels = obj["spec"]["template"]["metadata"]["labels"]
        selectors = [p["spec"]["podSelector"] for p in policies if p["spec"]["podSelector"]]
        if not any(selects(s["matchLabels"], labels) for s in selectors):
            missing.append(f"{obj['metadata']['name']}: no NetworkPolicy of its own")
        if not any(selects(b["spec"]["selector"]["matchLabels"], labels) for b in budgets):
            missing.append(f"{obj['metadata']['name']}: no PodDisruptionBudget")
    assert missing == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_are_reachable_only_through_the_gateway(overlay: str):
    for obj in render(overlay):
        if obj["kind"] != "NetworkPolicy" or obj["metadata"]["name"] not in export_k8s.deployables():
            continue
        if obj["metadata"]["name"] == "gateway":
            continue
        sources = [s for rule in obj["spec"]["ingress"] for s in rule["from"]]
        pods = [s["podSelector"]["matchLabels"] for s in sources if "podSelector" in s]
        assert pods == [{"app.kubernetes.io/name": "gateway", "app.kubernetes.io/part-of": "sunlight"}], obj


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_names_ports_and_settings_match_the_code(overlay: str):
    from gateway.settings import GatewaySettings
    from sunlight.settings import ServiceSettings

    ports = export_k8s.deployables()
    objects = render(overlay)
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    assert set(ports) <= set(deployments)
    for name, port in ports.items():
        main = pod_spec(deployments[name])["containers"][0]
        assert re.search(rf"/sunlight-{name}(:|$)|^sunlight-{name}(:|$)", main["image"]), main["image"]
        assert main["ports"] == [{"name": "http", "containerPort": port}]
        service = next(o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] == name)
        assert service["spec"]["ports"][0]["port"] == port
    known = {f"SUNLIGHT_{f.upper()}" for cls in (GatewaySettings, ServiceSettings) for f in cls.model_fields}
    known |= {f"SUNLIGHT_{n.upper()}_DATABASE_URL" for n in ports}
    settings = settings_map(objects)
    assert set(settings["data"]) - known == set(), "the ConfigMap sets settings no process reads"
    for deployment in deployments.values():
        for c in pod_spec(deployment)["containers"]:
            assert {e["name"] for e in c.get("env", [])} - known == set()


def test_prod_runs_two_replicas_spread_over_nodes_with_shared_rate_limits():
    objects = render("prod")
    for obj in objects:
        if obj["kind"] == "Deployment":
            assert obj["spec"]["replicas"] >= 2, obj["metadata"]["name"]
            keys = {c["topologyKey"] for c in pod_spec(obj)["topologySpreadConstraints"]}
            assert "kubernetes.io/hostname" in keys
        if obj["kind"] == "HorizontalPodAutoscaler":
            assert obj["spec"]["minReplicas"] >= 2
    settings = settings_map(objects)
    assert settings["data"]["SUNLIGHT_RATE_LIMIT_STORAGE"].startswith("redis://")
    assert settings["data"]["SUNLIGHT_ENVIRONMENT"] == "production"
    assert not any(o["kind"] == "Secret" for o in objects), "prod commits no secret: the operator creates them"


def test_alerts_use_metrics_we_export():
    from sunlight.observability import Metrics

    exported = {m.name for m in Metrics("x").registry.collect()}
    exported |= {f"{n}_total" for n in exported} | {f"{n}_bucket" for n in exported}
    rules = yaml.safe_load((K8S / "alerts" / "rules.yaml").read_text())
    used = set()
    for group in rules["spec"]["groups"]:
        for rule in group["rules"]:
            used |= {m for m in re.findall(r"\b(sunlight_\w+|http_requests_total)\b", rule["expr"])}
            assert rule["annotations"]["runbook"].startswith("docs/operations.md#")
    assert used and used - exported == set()


def test_the_dockerfile_passes_hadolint():
    done = subprocess.run(
        [str(Path(sys.executable).parent / "hadolint"), str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
