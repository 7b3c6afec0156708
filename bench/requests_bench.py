"""Benchmark of the request lists on PostgreSQL with a region-sized database. Not a test.

    python bench/requests_bench.py [--keep] [--requests 100000] [--repeat 200]

Creates tmk_bench_<random> on the server of BENCH_DATABASE_URL, seeds 50 МО, 2 000 users and
100 000 requests, then times the list pages through the Flask test client and counts their SQL.
"""
import argparse
import datetime
import logging
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Before the app is imported: the generated secret key must not land in the repository's instance/.
os.environ.setdefault("TMK_INSTANCE_PATH", tempfile.mkdtemp(prefix="tmk-bench-instance-"))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from app.demo import load_demo  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import ConsultationRequest, Route, TmkUser, user_care_profile  # noqa: E402
from app.security import roles  # noqa: E402
from app.security.requests import tab_clause, visible_requests_clause  # noqa: E402
from app.security.roles import sync_roles  # noqa: E402
from config import sqlalchemy_url  # noqa: E402

PASSWORD = "Bench-2026!"
N_ORGS, N_CONSULTING, N_USERS = 50, 10, 2000
BUSY = 0  # index of the consulting МО that gets ~30% of all requests: the "busy МО"
STATUS_WEIGHTS = {"draft": 5, "on_approval": 3, "new": 10, "in_work": 10, "awaiting_info": 3, "signing": 2,
                  "completed": 55, "refused": 5, "cancelled": 7}
URGENCY_WEIGHTS = {"emergency": 10, "urgent": 30, "planned": 60}
DUE_MINUTES = {"emergency": 120, "urgent": 1440, "planned": 20160}
NOW = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)

# (label, login, url with {n} for the page size). The request pages are the ones under test; the directory
# is a control row: a list that exists today, proving that login, timing and query counting work.
PAGES = [
    ("Доступные", "bench_consultant", "/requests/available/?psize={n}"),
    ("Заявки", "bench_regadmin", "/requests/all/?psize={n}"),
    ("Заявки", "bench_consultant", "/requests/all/?psize={n}"),
    ("API tab/all", "bench_regadmin", "/api/v1/requests/tab/all?page_size={n}"),
    ("API tab/all", "bench_consultant", "/api/v1/requests/tab/all?page_size={n}"),
    # «Главная» has no page size: the same page twice (its rows are at most 10 per card)
    ("Главная", "bench_regadmin", "/?rows={n}"),
    ("Главная", "bench_consultant", "/?rows={n}"),
    ("(контроль) Пользователи", "bench_consultant", "/directory/list/?psize_UserDirectoryView={n}"),
]


def on_server(server_url: sa.URL, statement: str) -> None:
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")  # CREATE/DROP DATABASE, VACUUM
    with engine.connect() as connection:
        connection.execute(sa.text(statement))
    engine.dispose()


def weighted(rnd, weights: dict):
    return rnd.choices(list(weights), list(weights.values()))[0]


def seed_region(session, sm, rnd) -> dict:
    """МО, departments, routes, users, patients: generate_series for plain rows, executemany for linked ones."""
    x = session.execute
    x(sa.text("""INSERT INTO medical_organization (name, short_name, frmo_oid, address, is_consulting,
                 allows_drafts, is_active)
                 SELECT 'ГБУЗ «Больница № ' || i || '»', 'Бенч-МО ' || i, '1.2.643.5.1.13.13.12.2.78.8' || i,
                        'г. Бенчгород, д. ' || i, i <= :c, true, true FROM generate_series(1, :n) i"""),
      {"n": N_ORGS, "c": N_CONSULTING})
    x(sa.text("""INSERT INTO department (organization_id, name) SELECT o.id, d.name FROM medical_organization o
                 CROSS JOIN (VALUES ('Терапевтическое отделение'), ('Приёмное отделение'),
                 ('Хирургическое отделение')) d(name) WHERE o.short_name LIKE 'Бенч-МО %'"""))
    orgs = [r.id for r in x(sa.text("SELECT id FROM medical_organization WHERE short_name LIKE 'Бенч-МО %' "
                                    "ORDER BY id"))]
    consulting, plain = orgs[:N_CONSULTING], orgs[N_CONSULTING:]
    departments: dict[int, list[int]] = {}
    for r in x(sa.text("SELECT id, organization_id FROM department")):
        departments.setdefault(r.organization_id, []).append(r.id)
    profiles = [r.id for r in x(sa.text("SELECT id FROM care_profile ORDER BY id"))]

    # each care profile at 3 of the 10 consulting МО: 75 routes, ~7-8 profiles per МО
    route_rows = []
    for i, profile in enumerate(profiles):
        for org_index in sorted({i % N_CONSULTING, (i + 3) % N_CONSULTING, (i + 7) % N_CONSULTING}):
            route_rows.append({"consulting_organization_id": consulting[org_index], "care_profile_id": profile,
                               "assignment": "coordinator" if len(route_rows) % 3 == 1 else "pool",
                               "requires_approval": len(route_rows) % 5 == 0, "is_active": True})
    x(sa.insert(Route.__table__), route_rows)
    routes = x(sa.text("SELECT r.id, r.consulting_organization_id AS org, r.care_profile_id AS profile, "
                       "r.assignment, r.requires_approval FROM route r JOIN medical_organization o "
                       "ON o.id = r.consulting_organization_id WHERE o.short_name LIKE 'Бенч-МО %'")).all()
    org_profiles = {org: [r.profile for r in routes if r.org == org] for org in consulting}

    # users: (role names, organization, care profiles); one password hash for all (hashing is slow on purpose)
    people = [([roles.REGIONAL_ADMIN], None, [])] * 3
    people += [([roles.MO_ADMIN], org, []) for org in orgs]
    people += [([roles.COORDINATOR], org, []) for org in consulting for _ in range(2)]
    busy_pool = [r.profile for r in routes if r.org == consulting[BUSY] and r.assignment == "pool"][:3]
    people.append(([roles.CONSULTANT], consulting[BUSY], busy_pool))  # bench_consultant
    hired: dict[int, int] = {}
    for k in range(600):  # the busy МО has three times the doctors of any other
        org = consulting[BUSY] if k % 4 == 0 else consulting[k % N_CONSULTING]
        own, hired[org] = org_profiles[org], hired.get(org, -1) + 1
        # round-robin first, so that every route has at least one doctor, then 1-3 profiles at random
        chosen = {own[hired[org] % len(own)], *rnd.sample(own, rnd.randint(0, 2))}
        extra = [roles.REQUESTER] if k % 10 == 0 else []
        people.append(([roles.CONSULTANT, *extra], org, sorted(chosen)))
    while len(people) < N_USERS:
        people.append(([roles.REQUESTER], plain[len(people) % len(plain)], []))
    password_hash = generate_password_hash(PASSWORD)
    names = {0: "bench_regadmin", 3 + N_ORGS + 2 * N_CONSULTING: "bench_consultant"}
    x(sa.insert(TmkUser.__table__), [
        {"username": names.get(i, f"bench_u{i:04d}"), "first_name": "Иван", "last_name": f"Бенчев{i}",
         "middle_name": "Петрович", "email": f"bench{i}@bench.tmk.local", "password": password_hash,
         "active": True, "snils": f"{70_000_000_000 + i}", "organization_id": org,
         "department_id": rnd.choice(departments[org]) if org else None, "position": "Врач",
         "email_notifications": True, "login_count": 0, "fail_login_count": 0, "created_on": NOW,
         "changed_on": NOW}
        for i, (_, org, _) in enumerate(people)])
    ids = {r.username: r.id for r in x(sa.text("SELECT id, username FROM ab_user WHERE username LIKE 'bench%'"))}
    user_ids = [ids[names.get(i, f"bench_u{i:04d}")] for i in range(len(people))]
    role_ids = {name: sm.find_role(name).id for name in roles.ROLE_CODES.values()}
    x(sa.text("INSERT INTO ab_user_role (user_id, role_id) VALUES (:u, :r)"),
      [{"u": uid, "r": role_ids[name]} for uid, (names_, _, _) in zip(user_ids, people) for name in names_])
    x(sa.insert(user_care_profile), [{"user_id": uid, "care_profile_id": p}
                                      for uid, (_, _, ps) in zip(user_ids, people) for p in ps])
    requesters, doctors = {}, {}
    for uid, (role_names, org, ps) in zip(user_ids, people):
        if roles.REQUESTER in role_names:
            requesters.setdefault(org, []).append(uid)
        for p in ps if roles.CONSULTANT in role_names else ():
            doctors.setdefault((org, p), []).append(uid)

    x(sa.text("""INSERT INTO patient (last_name, first_name, middle_name, birth_date, sex, snils, oms_policy,
                 created_at) SELECT (ARRAY['Иванов','Смирнов','Кузнецов','Попов','Соколов'])[1 + i % 5] || i,
                 'Пациент', 'Тестович', DATE '1940-01-01' + (i * 37) % 29000, CASE WHEN i % 2 = 0 THEN 'male'
                 ELSE 'female' END, lpad(i::text, 11, '0'), (9000000000000000 + i)::text, now()
                 FROM generate_series(1, 30000) i"""))
    patients = [r.id for r in x(sa.text("SELECT id FROM patient"))]
    return {"consulting": consulting, "routes": routes, "requesters": requesters, "doctors": doctors,
            "patients": patients, "users": len(people)}


def seed_requests(session, rnd, region: dict, n_requests: int) -> int:
    """Requests made in Python (they must stay consistent), inserted in batches; their history in SQL."""
    routes, requesters, doctors, patients = (region[k] for k in ("routes", "requesters", "doctors", "patients"))
    x = session.execute
    first_id = x(sa.text("SELECT coalesce(max(id), 0) FROM consultation_request")).scalar()  # after the demo's
    # the busy МО's routes weigh 4, so it receives about 30% of the region's requests
    route_weights = [4 if r.org == region["consulting"][BUSY] else 1 for r in routes]
    requesting = list(requesters)
    rows = []
    for _ in range(n_requests):
        route = rnd.choices(routes, route_weights)[0]
        status = weighted(rnd, STATUS_WEIGHTS)
        if status == "on_approval" and not route.requires_approval:
            status = "new"
        finished = status in ("completed", "refused", "cancelled")
        created = NOW - datetime.timedelta(minutes=rnd.randint(10, (365 if finished else 30) * 1440))
        urgency = weighted(rnd, URGENCY_WEIGHTS)
        org = rnd.choice(requesting)
        staff = doctors[(route.org, route.profile)]
        row = dict.fromkeys(("consultant_id", "designated_consultant_id", "submitted_at", "received_at",
                             "taken_at", "due_at", "paused_at", "completed_at")) | {
            "patient_id": rnd.choice(patients), "route_id": route.id, "care_profile_id": route.profile,
            "consulting_organization_id": route.org, "requesting_organization_id": org,
            "author_id": rnd.choice(requesters[org]), "urgency": urgency, "goal": rnd.randint(1, 9),
            "mode": rnd.choice(("sync", "deferred", "mixed")), "question": "Прошу консультацию по тактике лечения",
            "anamnesis": "Жалобы на боли в груди", "diagnosis_code": "I21.0",
            "diagnosis_text": "Острый инфаркт миокарда", "consent_given": True, "status": status,
            "created_at": created, "video_room": f"{rnd.getrandbits(128):032x}"}
        if status != "draft":
            row["submitted_at"] = created + datetime.timedelta(minutes=5)
        if status not in ("draft", "on_approval"):
            row["received_at"] = created + datetime.timedelta(minutes=10)
            row["due_at"] = row["received_at"] + datetime.timedelta(minutes=DUE_MINUTES[urgency])
        taken = status in ("in_work", "awaiting_info", "signing", "completed")
        if taken or (status == "refused" and rnd.random() < .7):
            row["consultant_id"] = rnd.choice(staff)
            row["taken_at"] = created + datetime.timedelta(minutes=30)
        if status == "new" and rnd.random() < .05:
            row["designated_consultant_id"] = rnd.choice(staff)
        if status == "awaiting_info":
            row["paused_at"] = created + datetime.timedelta(minutes=60)
        if finished:
            row["completed_at"] = created + datetime.timedelta(minutes=rnd.randint(60, 3000))
        rows.append(row)
    rows.sort(key=lambda r: r["created_at"])  # ids and numbers follow time, as in real life
    # the demo region may already have issued numbers: continue after them, as next_request_number would
    counters = dict(x(sa.text("SELECT year, last FROM request_number")).all())
    for row in rows:
        year = row["created_at"].year
        counters[year] = counters.get(year, 0) + 1
        row["number"] = f"ТМК-{year}-{counters[year]:06d}"
    for start in range(0, len(rows), 10_000):
        x(sa.insert(ConsultationRequest.__table__), rows[start:start + 10_000])
    x(sa.text("INSERT INTO request_number (year, last) VALUES (:y, :n) "
              "ON CONFLICT (year) DO UPDATE SET last = excluded.last"),
      [{"y": y, "n": n} for y, n in counters.items()])
    # ~2 history rows per request: «создана» by the author, then the last move by whoever made it
    x(sa.text("""INSERT INTO request_event (request_id, actor_id, action, from_status, to_status, comment, created_at)
                 SELECT id, author_id, 'create', NULL, 'draft', '', created_at FROM consultation_request
                 WHERE id > :first
                 UNION ALL
                 SELECT id, COALESCE(consultant_id, author_id),
                        CASE status WHEN 'cancelled' THEN 'cancel' WHEN 'refused' THEN 'refuse'
                             WHEN 'new' THEN 'submit' WHEN 'on_approval' THEN 'submit' ELSE 'take' END,
                        CASE WHEN status IN ('new', 'on_approval') THEN 'draft' ELSE 'new' END, status, '',
                        COALESCE(completed_at, taken_at, submitted_at)
                 FROM consultation_request WHERE status <> 'draft' AND id > :first"""), {"first": first_id})
    return len(rows)


def prepare(app, login: str, url: str):
    """A signed-in test client that has fetched the page a few times (templates and caches warm), or the
    reason there is none: {"error": …} or {"status": code}."""
    client = app.test_client()
    response = client.post("/login/", data={"username": login, "password": PASSWORD})
    if response.status_code != 302 or "/login" in response.headers.get("Location", ""):  # FAB: 302 either way
        return None, {"error": f"login of {login} failed"}
    first = client.get(url)
    if first.status_code != 200:
        return None, {"status": first.status_code}
    for _ in range(4):
        client.get(url)
    return client, None


def measure(cases: list, repeat: int, sql: dict, load: list) -> list[dict]:
    """repeat timed GETs of every case, taken in turns (one of each case per round), so that a burst of
    other work on the machine falls on all the cases alike instead of ruining the one measured then."""
    samples = [{"times": [], "cpu": [], "sql_ms": [], "queries": set()} for _ in cases]
    failed: dict[int, dict] = {}
    for _ in range(repeat):
        load.append(os.getloadavg()[0])
        for i, (client, url) in enumerate(cases):
            if i in failed:
                continue
            sql.update(n=0, ms=0.0)
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            samples[i]["times"].append((time.perf_counter() - start) * 1000)
            samples[i]["cpu"].append((time.process_time() - cpu) * 1000)
            samples[i]["queries"].add(sql["n"])
            samples[i]["sql_ms"].append(sql["ms"])
            samples[i]["last"] = response
            if response.status_code != 200:
                failed[i] = {"status": response.status_code}
    results = []
    for i, sample in enumerate(samples):
        if i in failed:
            results.append(failed[i])
            continue
        response = sample["last"]
        body = response.get_json() if response.is_json else None
        rows = len(body["result"]) if isinstance(body, dict) and isinstance(body.get("result"), list) else None
        q = statistics.quantiles(sample["times"], n=100)
        results.append({"status": 200, "n": len(sample["times"]), "p50": q[49], "p95": q[94],
                        "cpu_ms": statistics.median(sample["cpu"]), "queries": max(sample["queries"]),
                        "varies": len(sample["queries"]) > 1, "sql_ms": statistics.median(sample["sql_ms"]),
                        "size": len(response.data), "rows": rows})
    return results


def report(results: list, load: list) -> None:
    if load:
        print(f"\nload average (1 min) during the timed requests: {min(load):.1f}–{max(load):.1f}, mean "
              f"{statistics.mean(load):.1f}, on {os.cpu_count()} cores (other work on the machine skews times; "
              f"CPU ms, this process's own time, is the steadier figure)")
    print(f"{'page':<25} {'user':<17} {'size':>4} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'CPU ms':>7} {'SQL':>4} "
          f"{'SQL ms':>7}  body")
    for label, login, psize, r in results:
        if r.get("status") == 200:
            body = f"{r['rows']} rows" if r["rows"] is not None else f"{r['size'] // 1024} KiB"
            body += " (query count varies)" if r["varies"] else ""
            print(f"{label:<25} {login:<17} {psize:>4} {r['n']:>4} {r['p50']:>7.1f} {r['p95']:>7.1f} "
                  f"{r['cpu_ms']:>7.1f} {r['queries']:>4} {r['sql_ms']:>7.1f}  {body}")
        else:
            print(f"{label:<25} {login:<17} {psize:>4} {'—':>4} {'—':>7} {'—':>7} {'—':>7} {'—':>4} {'—':>7}  "
                  f"{r.get('error') or 'HTTP %s' % r['status']}")
    print()
    for (label, login, _, r20), (*_, r100) in zip(results[::2], results[1::2]):
        if r20.get("status") != 200 or r100.get("status") != 200:
            print(f"{label} / {login}: not measured")
            continue
        grows = "GROWS with page size (N+1?)" if r100["queries"] > r20["queries"] else "constant: OK"
        speed = ", ".join(f"{n} rows {r['p95']:.0f} ms {'OK' if r['p95'] <= 100 else 'TOO SLOW'}"
                          for n, r in ((20, r20), (100, r100)))
        print(f"{label} / {login}: SQL queries at 20→100 rows: {r20['queries']}→{r100['queries']} {grows}; "
              f"p95 ≤ 100 ms? {speed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per page and size (the issue: 200)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed run still drops its database (finally)

    server = sa.make_url(sqlalchemy_url(os.environ.get("BENCH_DATABASE_URL",
                                                       "postgresql://postgres@127.0.0.1:5432/test")))
    name = f"tmk_bench_{uuid.uuid4().hex[:10]}"
    on_server(server, f'CREATE DATABASE "{name}"')
    print(f"database {name} on {server.host}:{server.port}")
    app = None
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": server.set(database=name).render_as_string(hide_password=False),
                          "TESTING": True, "WTF_CSRF_ENABLED": False, "AUTH_RATE_LIMITED": False,
                          "RATELIMIT_ENABLED": False})
        started = time.perf_counter()
        with app.app_context():
            upgrade()
            sync_roles(app.appbuilder)
            try:  # the demo is not needed for the figures; the tree may be mid-change, so go on without it
                load_demo()
            except Exception as error:  # noqa: BLE001
                db.session.rollback()
                print(f"WARNING: load_demo() failed ({type(error).__name__}: {error}); going on without it")
            print(f"schema, roles and demo region: {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            rnd = random.Random(2026)  # the same database every run
            region = seed_region(db.session, app.appbuilder.sm, rnd)
            n_requests = seed_requests(db.session, rnd, region, args.requests)
            db.session.commit()
        # statistics for the planner, and the visibility map autovacuum keeps on a live table: without it
        # index-only scans (the COUNT of a tab) read the heap and the figures would be too pessimistic
        on_server(server.set(database=name), "VACUUM ANALYZE")
        with app.app_context():
            print(f"seeded {region['users']} users, {len(region['routes'])} routes, {n_requests} requests and history "
                  f"in {time.perf_counter() - started:.1f} s")
            for login in ("bench_regadmin", "bench_consultant"):  # how much each tab holds, for context
                actor = db.session.query(TmkUser).filter_by(username=login).one()
                held = {tab: db.session.query(ConsultationRequest.id).filter(
                    visible_requests_clause(actor), tab_clause(actor, tab)).count() for tab in ("all", "available")}
                print(f"  {login}: «Заявки» {held['all']} rows, «Доступные» {held['available']} rows")
            # number and time of the SQL statements of one page: time left is Python (views, templates)
            sql = {"n": 0, "ms": 0.0}
            sa.event.listen(db.engine, "before_cursor_execute",
                            lambda conn, *_: conn.info.__setitem__("t0", time.perf_counter()))
            sa.event.listen(db.engine, "after_cursor_execute", lambda conn, *_: sql.update(
                n=sql["n"] + 1, ms=sql["ms"] + (time.perf_counter() - conn.info.pop("t0")) * 1000))
            db.session.remove()

        # outside any app context: each client.get gets its own, as a real request would.
        # FAB warns about the login's redirect target on every sign-in of the test client: noise here.
        logging.getLogger("flask_appbuilder.utils.base").setLevel(logging.ERROR)
        cases, results = [], []  # results: (label, login, page size, result), in PAGES order
        for label, login, template in PAGES:
            for psize in (20, 100):
                url = template.format(n=psize)
                client, problem = prepare(app, login, url)
                if problem is None:
                    cases.append((client, url))
                elif problem.get("status") == 404:
                    print(f"NOT THERE YET: GET {url} answers 404, the endpoint is not written yet; skipped")
                else:
                    print(f"SKIPPED: GET {url} as {login}: {problem.get('error') or problem['status']}")
                results.append((label, login, psize, problem))
        started, load = time.perf_counter(), []
        print(f"{args.repeat} timed requests for each of the {len(cases)} pages, in turns", flush=True)
        measured = iter(measure(cases, args.repeat, sql, load))
        print(f"  measured in {time.perf_counter() - started:.0f} s")
        results = [(label, login, psize, problem or next(measured)) for label, login, psize, problem in results]
        report(results, load)
    finally:
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if args.keep:
            print(f"kept database {name}")
        else:
            on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
