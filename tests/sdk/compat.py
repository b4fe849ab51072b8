"""Drives a running Hosted Onboarding server with Increase's official Python SDK.

Environment: INCREASE_BASE_URL, INCREASE_API_KEY (a sandbox key), PROGRAM_ID,
REVEAL_API_KEY (a production key allowed to reveal identification numbers). Runs every check
twice: with the SDK's default (lenient) and strict response validation.
"""

import http.server
import os
import sys
import threading
import time
import urllib.request
from datetime import datetime

import increase
from increase import Increase

BASE_URL = os.environ["INCREASE_BASE_URL"]
API_KEY = os.environ["INCREASE_API_KEY"]
PROGRAM_ID = os.environ["PROGRAM_ID"]
REVEAL_API_KEY = os.environ["REVEAL_API_KEY"]

passed = 0
failed = 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok   {name}")
    except Exception as error:  # noqa: BLE001 - report every failure
        failed += 1
        print(f"FAIL {name}: {type(error).__name__}: {error}")


def expect_error(cls, fn):
    try:
        fn()
    except cls as error:
        return error
    raise AssertionError(f"expected {cls.__name__}")


def run(strict: bool) -> None:
    mode = "strict" if strict else "default"
    client = Increase(api_key=API_KEY, base_url=BASE_URL, _strict_response_validation=strict)
    sessions = client.entity_onboarding_sessions
    redirect = "https://platform.example.com/done?ref=sdk"

    def create_retrieve():
        s = sessions.create(program_id=PROGRAM_ID, redirect_url=redirect)
        assert s.type == "entity_onboarding_session"
        assert s.status == "active"
        assert s.program_id == PROGRAM_ID
        assert s.redirect_url == redirect
        assert isinstance(s.created_at, datetime) and isinstance(s.expires_at, datetime)
        assert s.session_url and s.session_url.startswith(BASE_URL + "/onboarding/sessions?id=")
        assert s.entity_id is None
        assert s.idempotency_key and s.idempotency_key.startswith("stainless-python-retry-")
        again = sessions.retrieve(s.id)
        assert again == s, (again, s)

    def list_auto_paginates():
        made = {sessions.create(program_id=PROGRAM_ID, redirect_url=redirect).id for _ in range(5)}
        first = sessions.list(limit=2)
        assert len(first.data) == 2 and first.has_next_page()
        seen = [s.id for s in sessions.list(limit=2)]
        assert len(seen) == len(set(seen)), "no repeats"
        assert made <= set(seen), "every session is reached through the pages"

    def status_filter_and_expire():
        s = sessions.create(program_id=PROGRAM_ID, redirect_url=redirect)
        expired = sessions.expire(s.id)
        assert expired.status == "expired" and expired.session_url is None
        assert sessions.expire(s.id) == expired, "expiring twice is safe"
        expired_ids = {x.id for x in sessions.list(status={"in": ["expired"]})}
        active_ids = {x.id for x in sessions.list(status={"in": ["active"]})}
        assert s.id in expired_ids and s.id not in active_ids
        both = {x.id for x in sessions.list(status={"in": ["active", "expired"]})}
        assert expired_ids | active_ids == both

    def idempotency_filter_and_replay():
        key = f"sdk-{mode}-replay"
        raw1 = sessions.with_raw_response.create(program_id=PROGRAM_ID, redirect_url=redirect, idempotency_key=key)
        raw2 = sessions.with_raw_response.create(program_id=PROGRAM_ID, redirect_url=redirect, idempotency_key=key)
        assert raw2.headers.get("Idempotent-Replayed") == "true"
        assert raw1.parse().id == raw2.parse().id
        found = list(sessions.list(idempotency_key=key))
        assert [x.id for x in found] == [raw1.parse().id]

    def simulate_submit_and_entity():
        s = sessions.create(program_id=PROGRAM_ID, redirect_url=redirect)
        done = client.simulations.entity_onboarding_sessions.submit(s.id)
        assert done.status == "expired" and done.entity_id and done.session_url is None
        entity = client.entities.retrieve(done.entity_id)
        assert entity.type == "entity" and entity.structure == "corporation"
        assert entity.creating_entity_onboarding_session_id == s.id
        owner = entity.corporation.beneficial_owners[0]
        assert len(owner.individual.identification.number_last4) == 4
        assert "control" in owner.prongs

    def entities_tasks_and_validation():
        entity = client.entities.create(
            structure="corporation",
            corporation={
                "name": f"SDK Corp {mode}",
                "legal_identifier": {"value": "12-3456789"},
                "address": {"line1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US"},
                "beneficial_owners": [{
                    "individual": {
                        "name": "Ada Lovelace", "date_of_birth": "1980-12-10",
                        "address": {"line1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US"},
                        "identification": {"method": "social_security_number", "number": "078051120"},
                    },
                    "prongs": ["control"],
                }],
            },
        )
        assert entity.corporation.beneficial_owners[0].individual.identification.number_last4 == "1120"
        flagged = client.simulations.entities.update_validation(entity.id, issues=[{"category": "entity_tax_identifier"}])
        assert flagged.validation.status == "invalid"
        assert flagged.validation.issues[0].category == "entity_tax_identifier"
        tasks = [t["category"] for t in flagged.to_dict()["onboarding_tasks"]]
        assert tasks[0] == "correct_tax_identifier", tasks
        assert entity.id in {e.id for e in client.entities.list(status={"in": ["active"]})}
        session = sessions.create(program_id=PROGRAM_ID, redirect_url=redirect, entity_id=entity.id)
        assert session.entity_id == entity.id
        archived = client.entities.archive(entity.id)
        assert archived.status == "archived"
        expect_error(increase.InvalidParametersError,
                     lambda: sessions.create(program_id=PROGRAM_ID, redirect_url=redirect, entity_id=entity.id))

    def programs():
        created = client.simulations.programs.create(name=f"SDK {mode}")
        assert created.name == f"SDK {mode}" and created.type == "program"
        assert client.programs.retrieve(created.id) == created
        assert created.id in {p.id for p in client.programs.list()}

    def error_classes():
        e = expect_error(increase.InvalidParametersError, lambda: sessions.create(program_id=PROGRAM_ID, redirect_url="javascript:alert(1)"))
        assert e.status_code == 400 and any(x["field"] == "redirect_url" for x in e.errors)
        expect_error(increase.ObjectNotFoundError, lambda: sessions.retrieve("entity_onboarding_session_aaaaaaaaaaaaaaaaaaaa"))
        expect_error(increase.ObjectNotFoundError, lambda: client.entities.retrieve("entity_aaaaaaaaaaaaaaaaaaaa"))
        bad = Increase(api_key="secret_key_wrong", base_url=BASE_URL, _strict_response_validation=strict)
        e = expect_error(increase.InvalidAPIKeyError, lambda: bad.programs.list())
        assert e.reason == "no_credential"
        key = f"sdk-{mode}-conflict"
        first = sessions.create(program_id=PROGRAM_ID, redirect_url=redirect, idempotency_key=key)
        e = expect_error(increase.IdempotencyKeyAlreadyUsedError,
                         lambda: sessions.create(program_id=PROGRAM_ID, redirect_url=redirect + "&x=1", idempotency_key=key))
        assert e.resource_id == first.id
        gone = sessions.expire(sessions.create(program_id=PROGRAM_ID, redirect_url=redirect).id)
        expect_error(increase.InvalidOperationError, lambda: client.simulations.entity_onboarding_sessions.submit(gone.id))
        expect_error(increase.APIMethodNotFoundError, lambda: client.get("/no_such_method", cast_to=object))
        expect_error(increase.MalformedRequestError, lambda: client.post(
            "/entity_onboarding_sessions", cast_to=object, body="not an object",
            options={"headers": {"Content-Type": "text/plain"}}))

    def keys_environments_and_reveal():
        entity = client.entities.create(
            structure="natural_person",
            natural_person={
                "name": "Ada Lovelace",
                "date_of_birth": "1985-12-10",
                "address": {"line1": "10 Downing St", "city": "London", "zip": "SW1A 2AA", "country": "GB"},
                "identification": {"method": "passport", "number": "X12345678",
                                   "passport": {"country": "GB", "expiration_date": "2030-01-01", "file_id": "file_x"}},
            },
        )
        assert entity.natural_person.identification.number_last4 == "5678"
        path = f"/entities/{entity.id}/identification_numbers"
        expect_error(increase.InsufficientPermissionsError, lambda: client.get(path, cast_to=object))
        revealer = Increase(api_key=REVEAL_API_KEY, base_url=BASE_URL, _strict_response_validation=strict)
        shown = revealer.get(path, cast_to=object)
        assert shown == {"type": "entity_identification_numbers", "entity_id": entity.id, "data": [
            {"subject": "natural_person", "beneficial_owner_id": None, "method": "passport", "number": "X12345678"}]}, shown
        expect_error(increase.EnvironmentMismatchError,
                     lambda: revealer.simulations.programs.create(name="not in production"))

    def webhooks_and_events():
        delivered = []

        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"])).decode()
                delivered.append((dict(self.headers.items()), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        secret = f"sdk-{mode}-webhook-secret"
        subscription = client.event_subscriptions.create(
            url=f"http://127.0.0.1:{server.server_port}/webhooks",
            shared_secret=secret,
            selected_event_categories=[{"event_category": "entity.created"}],
        )
        assert subscription.type == "event_subscription" and subscription.status == "active"
        assert subscription.selected_event_categories[0].event_category == "entity.created"
        assert subscription.shared_secret is None, "a given secret is never shown"
        fetched = client.event_subscriptions.retrieve(subscription.id)
        created = subscription.model_dump(exclude={"shared_secret"})
        assert fetched.model_dump() == created, (fetched, subscription)
        assert subscription.id in {s.id for s in client.event_subscriptions.list()}, "listed"
        session = sessions.create(program_id=PROGRAM_ID, redirect_url=redirect)
        done = client.simulations.entity_onboarding_sessions.submit(session.id)
        deadline = time.time() + 15
        while not delivered and time.time() < deadline:
            time.sleep(0.05)
        server.shutdown()
        assert delivered, "no entity.created webhook arrived"
        headers, body = delivered[0]
        event = client.events.unwrap(body, headers=headers, key=secret.encode())
        assert event.category == "entity.created" and event.associated_object_id == done.entity_id, event
        verifier = Increase(api_key=API_KEY, base_url=BASE_URL, webhook_secret=secret)
        assert verifier.events.unwrap(body, headers=headers).id == event.id
        expect_error(Exception, lambda: client.events.unwrap(body, headers=headers, key=b"not-the-secret"))
        retrieved = client.events.retrieve(event.id)
        assert retrieved.model_dump() == event.model_dump(), (retrieved, event)
        listed = client.events.list(category={"in": ["entity.created"]}, associated_object_id=done.entity_id)
        assert [e.id for e in listed] == [event.id], list(listed)
        assert any(e.category == "event_subscription.created" for e in client.events.list()), "listed by default"
        disabled = client.event_subscriptions.update(subscription.id, status="disabled")
        assert disabled.status == "disabled"

    def branding_extension_and_redirect_allow_list():
        # This service's own extension, reached with the SDK's raw requests.
        path = f"/hosted_onboarding/programs/{PROGRAM_ID}/branding"
        png = bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c63f8cf00000301010018dd8db00000000049454e44ae426082"
        )
        import base64

        # Only a production key may change where a program redirects.
        production = Increase(api_key=REVEAL_API_KEY, base_url=BASE_URL, _strict_response_validation=strict)
        expect_error(
            increase.InsufficientPermissionsError,
            lambda: client.patch(path, cast_to=object, body={"allowed_redirect_origins": ["https://a.example"]}),
        )
        branding = production.patch(
            path,
            cast_to=object,
            body={
                "display_name": "Acme via SDK",
                "accent_color": "#0a7d5a",
                "logo": base64.b64encode(png).decode(),
                "allowed_redirect_origins": ["https://platform.example.com"],
            },
        )
        assert branding["type"] == "hosted_onboarding_program_branding", branding
        assert branding["display_name"] == "Acme via SDK" and branding["logo_url"].endswith(".png"), branding
        assert client.get(path, cast_to=object) == branding
        error = expect_error(
            increase.BadRequestError,
            lambda: client.patch(path, cast_to=object, body={"accent_color": "#ffff00"}),
        )
        assert error.body["errors"][0]["field"] == "accent_color", error.body
        # The allow-list applies to sessions created through the SDK's own method.
        sessions.create(program_id=PROGRAM_ID, redirect_url=redirect)
        error = expect_error(
            increase.BadRequestError,
            lambda: sessions.create(program_id=PROGRAM_ID, redirect_url="https://elsewhere.example/done"),
        )
        assert error.body["errors"][0]["field"] == "redirect_url", error.body
        cleared = production.patch(
            path,
            cast_to=object,
            body={"display_name": None, "accent_color": None, "logo": None, "allowed_redirect_origins": None},
        )
        assert cleared["logo_url"] is None and cleared["allowed_redirect_origins"] is None, cleared
        sessions.create(program_id=PROGRAM_ID, redirect_url="https://elsewhere.example/done")

    def locale_extension():
        # The hosted pages' language: an extension the SDK sends with extra_body.
        s = sessions.create(program_id=PROGRAM_ID, redirect_url=redirect, extra_body={"locale": "es"})
        assert s.status == "active" and s.session_url
        request = urllib.request.Request(s.session_url, headers={"Accept-Language": "en-US,en;q=0.9"})
        with urllib.request.urlopen(request) as page:
            html = page.read().decode()
        assert '<html lang="es">' in html, html[:300]
        assert "¿Qué va a registrar?" in html
        e = expect_error(increase.BadRequestError,
                         lambda: sessions.create(program_id=PROGRAM_ID, redirect_url=redirect, extra_body={"locale": "xx"}))
        assert e.status_code == 400 and [x["field"] for x in e.body["errors"]] == ["locale"], e.body

    for name, fn in [
        ("create and retrieve", create_retrieve),
        ("locale with extra_body", locale_extension),
        ("list with auto-pagination", list_auto_paginates),
        ("status.in filter and expire", status_filter_and_expire),
        ("idempotency replay and filter", idempotency_filter_and_replay),
        ("simulate submit and entities.retrieve", simulate_submit_and_entity),
        ("entities, tasks and validation", entities_tasks_and_validation),
        ("programs", programs),
        ("error classes", error_classes),
        ("key environments and the audited reveal", keys_environments_and_reveal),
        ("webhooks and events", webhooks_and_events),
        ("branding extension and redirect allow-list", branding_extension_and_redirect_allow_list),
    ]:
        check(f"[{mode}] {name}", fn)


run(strict=False)
run(strict=True)
print(f"sdk: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
