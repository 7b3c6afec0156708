"""The self-hosted Jitsi of docker-compose.yml (issue 14): Prosody admits only the portal's tokens, signed
with the same app id and secret the portal gets, there are no guests, the token's sub is Prosody's XMPP
domain and every portal process knows where the Jitsi web is. Docker is not needed: the file is read as
YAML, and each `${NAME...}` is compared by the .env variable it names."""
import pathlib
import re

import pytest
import yaml

BASE = pathlib.Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((BASE / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
# the portal's own processes are the services built from this repository
PORTAL = {name: service for name, service in SERVICES.items() if "build" in service}
JITSI = ("jitsi-web", "jitsi-prosody", "jitsi-jicofo", "jitsi-jvb")
REQUIRED = re.compile(r"\$\{(\w+):\?[^}]*\}")


def env(service: str) -> dict:
    return SERVICES[service]["environment"]


def required_variable(value: str) -> str:
    """The .env variable a `${NAME:?message}` value takes; it must be the whole value."""
    match = REQUIRED.fullmatch(value)
    assert match, f"{value!r} is not a required .env variable"
    return match.group(1)


def jitsi_bool(value: str) -> bool:
    """A flag as docker-jitsi-meet's templates read it (Go's strconv.ParseBool); anything else is a typo."""
    truth = {"1": True, "t": True, "true": True, "0": False, "f": False, "false": False}
    assert value.lower() in truth, f"{value!r} is not a flag docker-jitsi-meet reads"
    return truth[value.lower()]


def test_the_four_jitsi_services_run_one_pinned_release():
    tags = {SERVICES[name]["image"].rsplit(":", 1)[1] for name in JITSI}
    assert len(tags) == 1
    assert re.fullmatch(r"stable-\d+(-\d+)?", tags.pop())
    for name in JITSI:
        assert "meet.jitsi" in SERVICES[name]["networks"]
    assert SERVICES["jitsi-prosody"]["networks"]["meet.jitsi"]["aliases"] == ["xmpp.meet.jitsi"]


@pytest.mark.parametrize("service", ["jitsi-web", "jitsi-prosody"])
def test_token_authentication_is_on_and_guests_are_off(service):
    assert jitsi_bool(env(service)["ENABLE_AUTH"])
    assert env(service)["AUTH_TYPE"] == "jwt"
    assert not jitsi_bool(env(service)["ENABLE_GUESTS"])


def test_prosody_checks_the_tokens_with_the_portals_app_id_and_secret():
    prosody = env("jitsi-prosody")
    for name, service in PORTAL.items():
        portal = service["environment"]
        assert required_variable(prosody["JWT_APP_ID"]) == required_variable(portal["JITSI_APP_ID"]), name
        assert required_variable(prosody["JWT_APP_SECRET"]) == required_variable(portal["JITSI_APP_SECRET"]), name
    # the token's iss is the app id, its aud "jitsi"
    assert required_variable(prosody["JWT_ACCEPTED_ISSUERS"]) == required_variable(prosody["JWT_APP_ID"])
    assert prosody["JWT_ACCEPTED_AUDIENCES"] == "jitsi"


def test_the_token_subject_is_prosodys_xmpp_domain():
    domains = {env(name)["XMPP_DOMAIN"] for name in JITSI}
    assert domains == {"meet.jitsi"}
    for name, service in PORTAL.items():
        assert service["environment"]["JITSI_TOKEN_SUBJECT"] == "meet.jitsi", name


def test_every_portal_process_knows_the_jitsi_web_browsers_open():
    assert set(PORTAL) == {"migrate", "web1", "web2", "worker", "cron"}
    published = SERVICES["jitsi-web"]["ports"]
    assert published == ["${JITSI_HTTPS_PORT:-8443}:8443"]
    for name, service in PORTAL.items():
        domain = service["environment"]["JITSI_DOMAIN"]
        assert domain == "${JITSI_DOMAIN:-localhost:8443}", name
        # Jitsi builds its links and Prosody's checks from the same public address
        assert env("jitsi-web")["PUBLIC_URL"] == f"https://{domain}"
        # the portal never talks to Jitsi's services itself: only browsers do
        assert "meet.jitsi" not in service.get("networks", {}), name


def test_the_tokens_moderator_claim_decides_who_moderates():
    # Jicofo's own JWT mode makes every token holder an owner and auto-owner elects the first to join;
    # with both off, Prosody's token_affiliation sets owner from context.user.moderator
    assert not jitsi_bool(env("jitsi-jicofo")["JICOFO_ENABLE_AUTH"])
    assert not jitsi_bool(env("jitsi-jicofo")["ENABLE_AUTO_OWNER"])
    assert "token_affiliation" in env("jitsi-prosody")["XMPP_MUC_MODULES"].split(",")


def test_the_bridge_is_reachable_at_the_hosts_hospital_address():
    assert "10000:10000/udp" in SERVICES["jitsi-jvb"]["ports"]
    assert required_variable(env("jitsi-jvb")["JVB_ADVERTISE_IPS"]) == "JVB_ADVERTISE_IPS"


def test_env_example_lists_every_variable_compose_requires():
    text = (BASE / "docker-compose.yml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{(\w+):\?", text))
    example = (BASE / "deploy" / "env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^(\w+)=", example, flags=re.MULTILINE))
    assert {"JITSI_APP_ID", "JITSI_APP_SECRET", "JVB_ADVERTISE_IPS"} <= required
    assert required <= listed
