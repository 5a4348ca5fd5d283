"""The deployment files under deploy/ agree with the code: services, ports, probes, settings, secrets.

No Docker engine or cluster is needed: every file is loaded and checked against the topology table and
the settings model, so a renamed variable, a moved port or a forgotten service fails here rather than
in a crash-looping container.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from nordclear.dashboard.settings import load_dashboard_settings
from nordclear.licensing.settings import LicensingSettings
from nordclear.matching.settings import MatchingSettings
from nordclear.platform.metrics import exported_metric_names
from nordclear.platform.settings import ServiceSettings, load_settings
from nordclear.platform.topology import DASHBOARD_HTTP_PORT, LICENSING, SERVICES, ServiceSpec

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILE = DEPLOY / "compose.yaml"
INIT_SQL = DEPLOY / "postgres" / "init.sql"
DOCKERFILE = DEPLOY / "Dockerfile"
DEPLOY_README = DEPLOY / "README.md"

IMAGE_UID = 10001
# Services with settings of their own beyond the shared ones; the rest take ServiceSettings.
SETTINGS_CLASSES: dict[str, type[ServiceSettings]] = {
    "licensing": LicensingSettings,
    "matching": MatchingSettings,
}
# Stand-in for a DATABASE_URL that only a Secret provides: syntactically what the services accept.
SECRET_DATABASE_URL = "postgresql+asyncpg://{name}:secret@db.example.internal:5432/{name}"
# Must be set explicitly in a container: the defaults bind loopback or point at the embedded broker.
REQUIRED_VARIABLES = (
    "GRPC_ADDRESS",
    "METRICS_ADDRESS",
    "DATABASE_URL",
    "KAFKA_BOOTSTRAP_SERVERS",
    "TOKEN_PUBLIC_KEY_FILE",
)
# A stopping service drains RPCs, waits for its consumers and relay, and flushes its outbox: three
# steps, each bounded by SHUTDOWN_GRACE_MS.
SHUTDOWN_STEPS = 3

_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")


def _yaml_files() -> list[Path]:
    return sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])


def _load_all(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as stream:
        return [document for document in yaml.safe_load_all(stream) if document is not None]


def _k8s_objects() -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        objects.extend(_load_all(path))
    return objects


def _k8s_by_kind(kind: str) -> list[dict[str, Any]]:
    return [obj for obj in _k8s_objects() if obj["kind"] == kind]


def _compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def interpolate(value: str) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} with a made-up value per unset variable."""

    def replace(match: re.Match[str]) -> str:
        if match["op"] in ("-", ":-"):
            return match["arg"]
        return f"example-{match['name'].lower().replace('_', '-')}"

    return _INTERPOLATION.sub(replace, value).replace("$$", "$")


def _compose_environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    assert isinstance(environment, dict)
    return {str(key): interpolate(str(value)) for key, value in environment.items()}


def _variable(spec: ServiceSpec, name: str) -> str:
    return spec.env_prefix + name


def _check_variable_names(
    spec: ServiceSpec, names: Collection[str], where: str, *, complete: bool = True
) -> None:
    """Every name is a setting of ``spec``; with ``complete``, every setting a container needs is there."""
    for name in names:
        assert name.startswith(spec.env_prefix), f"{where}: {name} is not a {spec.env_prefix}* variable"
        field = name.removeprefix(spec.env_prefix).lower()
        settings_class = _settings_class(spec)
        assert field in settings_class.model_fields, (
            f"{where}: {name} is no setting of {settings_class.__name__}"
        )
    if not complete:
        return
    for required in REQUIRED_VARIABLES:
        assert _variable(spec, required) in names, f"{where}: {_variable(spec, required)} is not set"


def _settings_class(spec: ServiceSpec) -> type[ServiceSettings]:
    return SETTINGS_CLASSES.get(spec.name, ServiceSettings)


def _check_addresses(spec: ServiceSpec, settings: ServiceSettings, where: str) -> None:
    for address, port in (
        (settings.grpc_address, spec.grpc_port),
        (settings.metrics_address, spec.metrics_port),
    ):
        host, _, bound_port = address.rpartition(":")
        assert bound_port == str(port), f"{where}: {address} is not on port {port}"
        # A container must listen on every interface, or nothing outside it (probes, peers) reaches it.
        assert host in ("0.0.0.0", "[::]"), f"{where}: {address} does not bind every interface"


def _readme() -> str:
    return DEPLOY_README.read_text(encoding="utf-8")


# --- every file ------------------------------------------------------------------------------------


def test_every_yaml_file_loads() -> None:
    files = _yaml_files()
    assert COMPOSE_FILE in files
    assert len([path for path in files if path.parent == K8S]) >= len(SERVICES) + 2
    for path in files:
        documents = _load_all(path)
        assert documents, f"{path.relative_to(ROOT)} is empty"
        assert all(isinstance(document, dict) for document in documents), path


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    manifests = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(manifests)
    namespaces = [obj for obj in _k8s_objects() if obj["kind"] == "Namespace"]
    assert [obj["metadata"]["name"] for obj in namespaces] == [kustomization["namespace"]]
    images = {image["name"] for image in kustomization.get("images", [])}
    for deployment in _k8s_by_kind("Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            assert container["image"] in images, f"{container['image']} is not set by the kustomization"


def test_no_secret_is_committed() -> None:
    for path in _yaml_files():
        for document in _load_all(path):
            assert document.get("kind") != "Secret", f"{path.relative_to(ROOT)} commits a Secret"
    # A private key or a filled-in password anywhere under deploy/ would be a leak.
    for path in DEPLOY.rglob("*"):
        if path.is_file() and not path.is_relative_to(DEPLOY / "secrets") and path.name != ".env":
            text = path.read_text(encoding="utf-8")
            assert "PRIVATE KEY-----" not in text, f"{path.relative_to(ROOT)} holds a private key"


# --- Dockerfile ------------------------------------------------------------------------------------


def test_dockerfile_builds_one_locked_non_root_image() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    instructions = [
        line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    froms = [line for line in instructions if line.startswith("FROM ")]
    assert len(froms) >= 2, "expected a multi-stage build"
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in instructions
    assert all(line.startswith("FROM ${PYTHON_IMAGE}") for line in froms)

    uv_version = re.search(
        r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE
    )
    assert uv_version is not None
    assert f"pip install uv=={uv_version[1]}" in text, "the image must use the Makefile's uv version"
    syncs = re.findall(r"uv sync [^\n]*", text)
    assert syncs
    assert all("--frozen" in sync and "--no-dev" in sync for sync in syncs)
    assert "--no-editable" in syncs[-1]

    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] == str(IMAGE_UID)

    exposed = {int(port) for line in instructions if line.startswith("EXPOSE ") for port in line.split()[1:]}
    served = {port for spec in SERVICES for port in (spec.grpc_port, spec.metrics_port)}
    assert exposed == served | {DASHBOARD_HTTP_PORT}
    assert 'ENTRYPOINT ["nordclear"]' in instructions
    for secret_hint in ("secrets", ".data", ".env", "token-signing"):
        assert not any(line.startswith(("COPY", "ADD")) and secret_hint in line for line in instructions)


def test_build_context_filter_keeps_secrets_out() -> None:
    patterns = [
        line.strip()
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", "allow-list: everything is excluded unless named"
    included = {pattern.removeprefix("!").rstrip("/") for pattern in patterns if pattern.startswith("!")}
    copied = {
        source
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if line.startswith("COPY ") and "--from=" not in line
        for source in line.split()[1:-1]
    }
    assert copied <= included, f"the Dockerfile copies {copied - included}, which the context leaves out"
    assert included.isdisjoint({".data", "deploy", ".env", ".git"})


# --- compose ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SERVICES, ids=lambda spec: spec.name)
def test_compose_runs_the_service(spec: ServiceSpec) -> None:
    compose = _compose()
    service = compose["services"][spec.name]
    assert service["command"] == ["serve", spec.name]
    assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).resolve() == DOCKERFILE

    environment = _compose_environment(service)
    _check_variable_names(spec, list(environment), f"compose {spec.name}")
    settings = load_settings(_settings_class(spec), spec, environment)
    _check_addresses(spec, settings, f"compose {spec.name}")
    assert settings.log_format == "json"

    published = {(port["target"], str(port["published"])) for port in service["ports"]}
    assert (spec.grpc_port, str(spec.grpc_port)) in published
    assert (spec.metrics_port, str(spec.metrics_port)) in published

    # Kafka: a listener the broker advertises on the compose network.
    advertised = compose["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"].split(",")
    advertised_addresses = {listener.split("://", 1)[1] for listener in advertised}
    for server in settings.kafka_bootstrap_servers.split(","):
        assert server.strip() in advertised_addresses

    # The token public key: a compose secret the service mounts, at the path the setting names.
    secret_names = [entry if isinstance(entry, str) else entry["source"] for entry in service["secrets"]]
    key_path = str(settings.token_public_key_file)
    assert key_path.startswith("/run/secrets/")
    assert key_path.removeprefix("/run/secrets/") in secret_names
    for name in secret_names:
        assert "file" in compose["secrets"][name] or "environment" in compose["secrets"][name]

    for dependency in ("kafka", "postgres"):
        assert service["depends_on"][dependency] == {"condition": "service_healthy"}
        assert compose["services"][dependency]["healthcheck"]["test"]

    shutdown_s = int(str(service["stop_grace_period"]).removesuffix("s"))
    assert shutdown_s * 1000 > SHUTDOWN_STEPS * settings.shutdown_grace_ms


@pytest.mark.parametrize("spec", SERVICES, ids=lambda spec: spec.name)
def test_compose_healthcheck_asks_grpc_health_for_the_service(spec: ServiceSpec) -> None:
    healthcheck = _compose()["services"][spec.name]["healthcheck"]
    command = healthcheck["test"]
    assert command[:3] == ["CMD", "python", "-c"]
    code = command[3]
    compile(code, f"{spec.name} healthcheck", "exec")
    assert "HealthStub" in code
    assert f'"127.0.0.1:{spec.grpc_port}"' in code
    assert f'service="{spec.grpc_service}"' in code
    assert "SERVING" in code


@pytest.mark.parametrize("spec", SERVICES, ids=lambda spec: spec.name)
def test_compose_database_is_the_services_own(spec: ServiceSpec) -> None:
    compose = _compose()
    environment = _compose_environment(compose["services"][spec.name])
    url = make_url(environment[_variable(spec, "DATABASE_URL")])
    assert url.drivername == "postgresql+asyncpg"
    assert url.host == "postgres"
    assert url.host in compose["services"]
    assert url.database == spec.name
    assert url.username == spec.name

    # init.sql creates that role with the password from the postgres container's environment, which
    # compose fills from the same variable as the service's URL.
    sql = INIT_SQL.read_text(encoding="utf-8")
    getenv = dict(re.findall(r"^\\getenv (\w+) (\w+)$", sql, re.MULTILINE))
    roles = dict(re.findall(r"^CREATE ROLE (\w+) LOGIN PASSWORD :'(\w+)';$", sql, re.MULTILINE))
    databases = dict(re.findall(r"^CREATE DATABASE (\w+) OWNER (\w+);$", sql, re.MULTILINE))
    assert databases.get(spec.name) == spec.name, (
        f"init.sql creates no database {spec.name} owned by its role"
    )
    assert spec.name in roles, f"init.sql creates no role {spec.name}"
    postgres_environment = _compose_environment(compose["services"]["postgres"])
    password_variable = getenv[roles[spec.name]]
    assert postgres_environment[password_variable] == url.password


def test_compose_postgres_runs_the_init_script() -> None:
    postgres = _compose()["services"]["postgres"]
    assert str(postgres["image"]).startswith("postgres:15")
    mounts = [volume.split(":") for volume in postgres["volumes"] if isinstance(volume, str)]
    init_mounts = [mount for mount in mounts if mount[1].startswith("/docker-entrypoint-initdb.d/")]
    assert len(init_mounts) == 1
    assert (DEPLOY / init_mounts[0][0]).resolve() == INIT_SQL
    sql = INIT_SQL.read_text(encoding="utf-8")
    for spec in SERVICES:
        assert re.search(rf"^CREATE DATABASE {spec.name}\b", sql, re.MULTILINE), spec.name


def test_compose_kafka_is_single_node_kraft() -> None:
    kafka = _compose()["services"]["kafka"]
    assert re.fullmatch(r"apache/kafka:3\.9\.\d+", kafka["image"])
    environment = kafka["environment"]
    assert environment["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert environment["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{environment['KAFKA_NODE_ID']}@kafka:9093"
    assert "ZOOKEEPER" not in " ".join(environment)
    assert all(isinstance(value, str) for value in environment.values())


def test_every_compose_variable_is_documented() -> None:
    raw = COMPOSE_FILE.read_text(encoding="utf-8")
    readme = _readme()
    for name in {match["name"] for match in _INTERPOLATION.finditer(raw)}:
        assert f"`{name}`" in readme, f"deploy/README.md does not say how to provide {name}"
    for name, secret in _compose()["secrets"].items():
        assert f"`{name}`" in readme
        assert f"`deploy/{Path(secret['file']).as_posix().removeprefix('./')}`" in readme


def test_compose_licensing_signs_with_the_operators_key() -> None:
    # Every replica must sign with the one published key: a key generated in a container would not be.
    service = _compose()["services"]["licensing"]
    settings = load_settings(LicensingSettings, LICENSING, _compose_environment(service))
    secret_names = [entry if isinstance(entry, str) else entry["source"] for entry in service["secrets"]]
    key_file = str(settings.licence_signing_key_file)
    assert key_file.startswith("/run/secrets/")
    assert key_file.removeprefix("/run/secrets/") in secret_names


# --- Kubernetes ------------------------------------------------------------------------------------


def _deployment(spec: ServiceSpec) -> dict[str, Any]:
    found = [
        deployment
        for deployment in _k8s_by_kind("Deployment")
        if any(
            container.get("args") == ["serve", spec.name]
            for container in deployment["spec"]["template"]["spec"]["containers"]
        )
    ]
    assert len(found) == 1, f"expected one Deployment running 'serve {spec.name}', found {len(found)}"
    return found[0]


def _container(spec: ServiceSpec) -> dict[str, Any]:
    containers = _deployment(spec)["spec"]["template"]["spec"]["containers"]
    return next(container for container in containers if container.get("args") == ["serve", spec.name])


def _config_map(name: str) -> dict[str, Any]:
    found = [obj for obj in _k8s_by_kind("ConfigMap") if obj["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one ConfigMap {name}"
    return found[0]


def _k8s_environment(spec: ServiceSpec) -> dict[str, str]:
    """The container's environment, with a Secret's value replaced by a valid stand-in."""
    container = _container(spec)
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        data = _config_map(source["configMapRef"]["name"])["data"]
        assert all(isinstance(value, str) for value in data.values()), "ConfigMap values must be strings"
        environment.update(data)
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = str(variable["value"])
        else:
            assert variable["name"] == _variable(spec, "DATABASE_URL"), f"{variable['name']} from a Secret"
            assert "secretKeyRef" in variable["valueFrom"]
            environment[variable["name"]] = SECRET_DATABASE_URL.format(name=spec.name)
    return environment


@pytest.mark.parametrize("spec", SERVICES, ids=lambda spec: spec.name)
def test_k8s_deployment_probes_and_ports(spec: ServiceSpec) -> None:
    deployment = _deployment(spec)
    pod = deployment["spec"]["template"]["spec"]
    container = _container(spec)
    assert deployment["spec"]["replicas"] == 2
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()

    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"grpc": spec.grpc_port, "metrics": spec.metrics_port}

    readiness = container["readinessProbe"]["grpc"]
    liveness = container["livenessProbe"]["grpc"]
    assert readiness == {"port": spec.grpc_port, "service": spec.grpc_service}
    assert liveness["port"] == spec.grpc_port
    assert liveness.get("service", "") == ""
    if "startupProbe" in container:
        assert container["startupProbe"]["grpc"]["port"] == spec.grpc_port

    resources = container["resources"]
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= resources[kind].keys()

    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == IMAGE_UID
    assert container["securityContext"]["allowPrivilegeEscalation"] is False


@pytest.mark.parametrize("spec", SERVICES, ids=lambda spec: spec.name)
def test_k8s_configuration_is_valid_for_the_service(spec: ServiceSpec) -> None:
    container = _container(spec)
    for source in container["envFrom"]:
        config_map = _config_map(source["configMapRef"]["name"])
        where = f"ConfigMap {config_map['metadata']['name']}"
        _check_variable_names(spec, list(config_map["data"]), where, complete=False)
        assert _variable(spec, "DATABASE_URL") not in config_map["data"], (
            "the database URL belongs in a Secret"
        )

    environment = _k8s_environment(spec)
    _check_variable_names(spec, list(environment), f"Deployment {spec.name}")
    settings = load_settings(_settings_class(spec), spec, environment)
    _check_addresses(spec, settings, f"Deployment {spec.name}")
    assert settings.log_format == "json"

    # SIGTERM to SIGKILL must cover the preStop pause and every bounded shutdown step.
    pod = _deployment(spec)["spec"]["template"]["spec"]
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pre_stop_ms = int(pre_stop[1]) * 1000 if pre_stop[:1] == ["sleep"] else 0
    assert (
        pod["terminationGracePeriodSeconds"] * 1000
        > pre_stop_ms + SHUTDOWN_STEPS * settings.shutdown_grace_ms
    )

    # The token public key: a file in a mounted Secret volume, at the path the setting names.
    key_file = settings.token_public_key_file
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    mounts = [mount for mount in container["volumeMounts"] if key_file.parent == Path(mount["mountPath"])]
    assert len(mounts) == 1, f"nothing is mounted at {key_file.parent}"
    secret_volume = volumes[mounts[0]["name"]]["secret"]
    # With items, only the listed keys appear as files; without, every key appears under its own name.
    items = {item["path"]: item["key"] for item in secret_volume.get("items", [])}
    if items:
        assert key_file.name in items, f"the Secret volume holds no file {key_file.name}"
    assert mounts[0].get("readOnly") is True


def test_k8s_licensing_signs_with_the_operators_key_in_every_replica() -> None:
    container = _container(LICENSING)
    settings = load_settings(LicensingSettings, LICENSING, _k8s_environment(LICENSING))
    key_file = settings.licence_signing_key_file
    assert key_file is not None, "each replica would otherwise sign with a key of its own"
    volumes = {
        volume["name"]: volume for volume in _deployment(LICENSING)["spec"]["template"]["spec"]["volumes"]
    }
    mounts = [mount for mount in container["volumeMounts"] if key_file.parent == Path(mount["mountPath"])]
    assert len(mounts) == 1, f"nothing is mounted at {key_file.parent}"
    assert mounts[0].get("readOnly") is True
    items = {item["path"] for item in volumes[mounts[0]["name"]]["secret"].get("items", [])}
    assert key_file.name in items


@pytest.mark.parametrize("spec", SERVICES, ids=lambda spec: spec.name)
def test_k8s_service_exposes_grpc_and_metrics(spec: ServiceSpec) -> None:
    labels = _deployment(spec)["spec"]["template"]["metadata"]["labels"]
    matching = [
        service
        for service in _k8s_by_kind("Service")
        if service["spec"]["selector"].items() <= labels.items()
    ]
    assert len(matching) == 1, f"expected one Service selecting the {spec.name} pods"
    service = matching[0]
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    ports = {port["name"]: port for port in service["spec"]["ports"]}
    assert ports["grpc"]["port"] == spec.grpc_port
    assert ports["grpc"]["targetPort"] in ("grpc", spec.grpc_port)
    assert ports["metrics"]["port"] == spec.metrics_port
    assert ports["metrics"]["targetPort"] in ("metrics", spec.metrics_port)
    annotations = service["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(spec.metrics_port)
    assert annotations["prometheus.io/path"] == "/metrics"


def test_every_k8s_secret_is_referenced_and_documented() -> None:
    referenced: set[tuple[str, str]] = set()
    for spec in SERVICES:
        container = _container(spec)
        pod = _deployment(spec)["spec"]["template"]["spec"]
        for variable in container.get("env", []):
            ref = variable.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                referenced.add((ref["name"], ref["key"]))
        mounted = {mount["name"] for mount in container["volumeMounts"]}
        for volume in pod["volumes"]:
            if "secret" in volume:
                assert volume["name"] in mounted, f"secret volume {volume['name']} is never mounted"
                for item in volume["secret"].get("items", []):
                    referenced.add((volume["secret"]["secretName"], item["key"]))
    assert {name for name, _ in referenced} >= {f"nordclear-{spec.name}-database" for spec in SERVICES}
    readme = _readme()
    for name, key in referenced:
        rows = [line for line in readme.splitlines() if line.startswith("|") and f"`{name}`" in line]
        assert rows, f"deploy/README.md does not list the Secret {name}"
        assert any(f"`{key}`" in row for row in rows), (
            f"deploy/README.md does not give the key {key} of {name}"
        )


# --- observability: Prometheus, alert rules, Grafana, and the dashboard's deployment ---------------

PROMETHEUS = DEPLOY / "prometheus"
GRAFANA_DASHBOARD = DEPLOY / "grafana" / "dashboards" / "nordclear-operations.json"
# Series Prometheus itself makes for every target; the only names allowed besides the exported ones.
PROMETHEUS_OWN_SERIES = frozenset({"up"})
_PROMQL_WORDS = frozenset(
    {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}
)
_HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def promql_metric_names(expression: str) -> set[str]:
    """The metric names a PromQL expression reads (functions, label names and keywords removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)  # string literals
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range selectors
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", text):
        name = match[1]
        if name not in _PROMQL_WORDS and not re.fullmatch(r"\d+[smhdwy]?", name):
            names.add(name)
    return names


def _known_metric(name: str, exported: frozenset[str]) -> bool:
    if name in exported or name in PROMETHEUS_OWN_SERIES:
        return True
    # A histogram exports its family name; its series are <name>_bucket, _sum and _count.
    return any(
        name.endswith(suffix) and name.removesuffix(suffix) in exported for suffix in _HISTOGRAM_SUFFIXES
    )


def _alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def _grafana_queries() -> list[tuple[str, str]]:
    dashboard = json.loads(GRAFANA_DASHBOARD.read_text(encoding="utf-8"))
    return [
        (panel["title"], target["expr"])
        for panel in dashboard["panels"]
        if panel["type"] != "row"
        for target in panel["targets"]
    ]


def test_promql_metric_names_finds_metrics_only() -> None:
    expression = (
        'sum by (service, code) (rate(nordclear_grpc_requests_total{code=~"INTERNAL|x"}[5m])) '
        "/ on (service) group_left sum(nordclear_outbox_depth) > 30 * 86400 and up == 0"
    )
    assert promql_metric_names(expression) == {
        "nordclear_grpc_requests_total",
        "nordclear_outbox_depth",
        "up",
    }


def test_every_alert_rule_names_exported_metrics() -> None:
    exported = exported_metric_names()
    for rule in _alert_rules():
        names = promql_metric_names(rule["expr"])
        assert names & exported, f"alert {rule['alert']} reads no metric the services export"
        unknown = {name for name in names if not _known_metric(name, exported)}
        assert not unknown, f"alert {rule['alert']} reads {unknown}, which no service exports"
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]


def test_the_alerts_the_operators_asked_for_exist() -> None:
    alerts = {rule["alert"]: rule["expr"] for rule in _alert_rules()}
    assert "nordclear_service_up" in alerts["NordclearServiceDown"]
    assert "nordclear_consumer_lag_messages" in alerts["NordclearConsumerLagGrowing"]
    assert "nordclear_dead_letters_total" in alerts["NordclearDeadLetters"]
    assert "30 * 86400" in alerts["NordclearObligationDeadlineWithin30Days"]
    assert "nordclear_settlement_invariant_failures_total" in alerts["NordclearSettlementInvariantFailed"]


def test_every_grafana_panel_names_exported_metrics_and_every_metric_has_a_panel() -> None:
    exported = exported_metric_names()
    charted: set[str] = set()
    queries = _grafana_queries()
    assert queries
    for title, expression in queries:
        names = promql_metric_names(expression)
        unknown = {name for name in names if not _known_metric(name, exported)}
        assert names, f"panel {title!r} reads no metric"
        assert not unknown, f"panel {title!r} reads {unknown}, which no service exports"
        charted |= {
            next(
                (name.removesuffix(s) for s in _HISTOGRAM_SUFFIXES if name.removesuffix(s) in exported), name
            )
            for name in names
        }
    assert exported <= charted, f"no Grafana panel shows {sorted(exported - charted)}"


def test_grafana_provisioning_loads_the_dashboard_from_prometheus() -> None:
    dashboard = json.loads(GRAFANA_DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] == "nordclear-operations"
    panel_ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(panel_ids) == len(set(panel_ids))
    provisioning = DEPLOY / "grafana" / "provisioning"
    datasource = yaml.safe_load(
        (provisioning / "datasources" / "prometheus.yaml").read_text(encoding="utf-8")
    )
    assert datasource["datasources"][0]["type"] == "prometheus"
    provider = yaml.safe_load((provisioning / "dashboards" / "nordclear.yaml").read_text(encoding="utf-8"))
    grafana = _compose()["services"]["grafana"]
    mounts = dict(volume.split(":")[:2] for volume in grafana["volumes"])
    assert GRAFANA_DASHBOARD.parent == (DEPLOY / "grafana" / "dashboards")
    assert mounts["./grafana/dashboards"] == provider["providers"][0]["options"]["path"]
    assert mounts["./grafana/provisioning"] == "/etc/grafana/provisioning"


@pytest.mark.parametrize("name", ["prometheus.yml", "prometheus-kubernetes.yml"])
def test_prometheus_loads_the_alert_rules(name: str) -> None:
    config = yaml.safe_load((PROMETHEUS / name).read_text(encoding="utf-8"))
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    (job,) = config["scrape_configs"]
    assert job["job_name"] == "nordclear"  # the alert rules select on it
    assert job["honor_labels"] is True


def test_prometheus_scrapes_every_service_on_its_metrics_port() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    targets = {
        static["labels"]["service"]: static["targets"]
        for static in config["scrape_configs"][0]["static_configs"]
    }
    assert targets == {spec.name: [f"{spec.name}:{spec.metrics_port}"] for spec in SERVICES}
    compose = _compose()
    for spec in SERVICES:
        assert spec.name in compose["services"]
    mounts = [volume.split(":")[:2] for volume in compose["services"]["prometheus"]["volumes"]]
    assert ["./prometheus/prometheus.yml", "/etc/prometheus/prometheus.yml"] in mounts
    assert ["./prometheus/alerts.yml", "/etc/prometheus/alerts.yml"] in mounts


def _check_dashboard_environment(environment: dict[str, str], where: str) -> None:
    assert all(name.startswith("NORDCLEAR_DASHBOARD_") for name in environment), where
    settings = load_dashboard_settings(environment)
    host, _, port = settings.http_address.rpartition(":")
    assert (host, port) == ("0.0.0.0", str(DASHBOARD_HTTP_PORT)), f"{where}: must listen on every interface"
    for spec in SERVICES:
        assert settings.grpc_address(spec) == f"{spec.name}:{spec.grpc_port}", where
        assert settings.metrics_url(spec) == f"http://{spec.name}:{spec.metrics_port}/metrics", where


def test_compose_runs_the_dashboard_against_every_service() -> None:
    dashboard = _compose()["services"]["dashboard"]
    assert dashboard["command"] == ["dashboard"]
    environment = _compose_environment(dashboard)
    _check_dashboard_environment(environment, "compose dashboard")
    key_path = environment["NORDCLEAR_DASHBOARD_TOKEN_PUBLIC_KEY_FILE"]
    assert key_path.removeprefix("/run/secrets/") in dashboard["secrets"]
    assert set(dashboard["depends_on"]) == {spec.name for spec in SERVICES}
    assert "/healthz" in dashboard["healthcheck"]["test"][3]


def test_k8s_runs_the_dashboard_against_every_service() -> None:
    (deployment,) = [
        d
        for d in _k8s_by_kind("Deployment")
        if d["spec"]["template"]["spec"]["containers"][0]["args"] == ["dashboard"]
    ]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    environment: dict[str, str] = {}
    for source in container["envFrom"]:
        environment.update(_config_map(source["configMapRef"]["name"])["data"])
    _check_dashboard_environment(environment, "k8s dashboard")
    assert load_dashboard_settings(environment).secure_cookie is True
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"http": DASHBOARD_HTTP_PORT}
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    key_file = Path(environment["NORDCLEAR_DASHBOARD_TOKEN_PUBLIC_KEY_FILE"])
    assert any(Path(mount["mountPath"]) == key_file.parent for mount in container["volumeMounts"])
