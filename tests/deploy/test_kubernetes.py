"""The Kubernetes manifests, checked offline: each document is a known kind with the fields
the API requires, the Deployment's probes ask /healthz (liveness) and /readyz (readiness) on
a port the container exposes, everything refers to objects the manifests define, and the
settings they give are ones the server reads."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy" / "kubernetes" / "cimi-one.yaml"
API_VERSIONS = {"ConfigMap": "v1", "Secret": "v1", "Service": "v1", "Deployment": "apps/v1",
                "HorizontalPodAutoscaler": "autoscaling/v2", "Job": "batch/v1"}


def documents():
    return {document["kind"]: document for document in yaml.safe_load_all(MANIFESTS.read_text())}


def test_every_document_is_a_known_kind_with_a_name():
    found = documents()
    assert set(found) == set(API_VERSIONS)
    for kind, document in found.items():
        assert document["apiVersion"] == API_VERSIONS[kind], kind
        assert document["metadata"]["name"].startswith("cimi-one"), kind


def test_the_probes_are_liveness_on_healthz_and_readiness_on_readyz():
    deployment = documents()["Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert ports == {"http": 8080}
    assert deployment["spec"]["selector"]["matchLabels"].items() <= \
        deployment["spec"]["template"]["metadata"]["labels"].items()


def test_references_name_objects_the_manifests_define():
    found = documents()
    names = {(kind, document["metadata"]["name"]) for kind, document in found.items()}
    container = found["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert ("ConfigMap", container["envFrom"][0]["configMapRef"]["name"]) in names
    assert found["Service"]["spec"]["selector"] == \
        found["Deployment"]["spec"]["template"]["metadata"]["labels"]
    target = found["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) in names
    job = found["Job"]["spec"]["template"]["spec"]
    assert ("Secret", job["volumes"][0]["secret"]["secretName"]) in names


def test_the_settings_given_are_ones_the_server_reads():
    settings = (ROOT / "app" / "config.py").read_text() + (ROOT / "gunicorn.conf.py").read_text()
    for name in documents()["ConfigMap"]["data"]:
        assert name.startswith("ONE_") or f'"{name}"' in settings, name
