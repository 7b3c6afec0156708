"""Benchmark of the request chat over Socket.IO: the real portal against a bare python-socketio server
under the same load, in the same run. Not a test: it prints figures.

    python bench/socket_bench.py                      # 500 connections, rooms of 8, 20 msgs/s for 30 s, 3 rounds
    python bench/socket_bench.py --clients 200 --duration 10 --rounds 1      # a quick look
    python bench/socket_bench.py --server-cmd "gunicorn --workers 1 --threads 100 --bind 127.0.0.1:{port} wsgi:app"
    TMK_SOCKETIO_ASYNC_MODE=gevent python bench/socket_bench.py \
        --server-cmd "gunicorn -k gevent --workers 1 --bind 127.0.0.1:{port} wsgi:app"   # the scaled shape

What it does, for each of the two servers in turn, --rounds times (one round's figures swing by a
third on a 2-core machine, the bare server's most):
1. starts it as a process of its own: the portal is `python run.py` (Flask-SocketIO, async_mode as in
   TMK_SOCKETIO_ASYNC_MODE, config.py) over a fresh SQLite file seeded here with one user per connection and one request
   chat per room; the bare server is this file with --bare-server, a python-socketio server of the same
   async mode and the portal's Socket.IO settings (async_handlers off) on the same kind of WSGI server,
   with the same events (join a room, send → broadcast + acknowledgement, read → nothing) and no
   database, sessions or checks;
2. opens --clients websocket connections from this process (asyncio python-socketio clients, which need
   aiohttp; the portal's carry a session cookie signed with the portal's key, as a login would set), in
   rooms of --room-size members, and has each join its room;
3. offers --rate messages/s from random members for --duration seconds and measures, for every copy that
   reaches another member, send-to-receive latency (p50/p95/p99), the copies delivered per second and
   the copies lost (none may be); every client marks what it received as read as the page does
   (app/static/js/chat.js: the last message shown, at most once a second), which the portal stores;
4. saturation: --senders members send back to back (the next when the last is acknowledged) for
   --duration seconds: the throughput, messages/s acknowledged and copies/s delivered;
5. reads the server's CPU time, memory and thread count from /proc.
Then the medians of the rounds (the worst round for connections held and copies lost), and the
portal's throughput as a ratio to the bare server's in each round and their median.

Targets (the issue): 500 concurrent connections on one process; p95 ≤ 250 ms at 20 msgs/s offered;
0 lost; the portal's throughput at least half of the bare server's.

Async mode: threading with simple-websocket (DESIGN.md §3: not eventlet, whose maintainers discourage
it and which psycopg 3 does not support; gevent only if this benchmark shows it holds more sockets). In
threading mode every websocket holds a server thread for its whole life (simple-websocket adds a reader
thread), so the connections one process holds are bounded by the threads its server gives it: the
Werkzeug server of run.py starts a thread per connection, gunicorn's gthread worker has --threads of
them (`--server-cmd` runs another server command; {port} is filled in). The figures show the cost.

Both servers and this load generator share the machine: run it on an otherwise idle one (the load
average is printed). Needs `ulimit -n` above twice --clients; it raises the soft limit itself.
"""
import argparse
import asyncio
import itertools
import os
import random
import resource
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NAMESPACE = "/chat"


# --- the bare server -------------------------------------------------------------------------------

def bare_server(port: int, async_mode: str) -> None:
    """python-socketio alone, in the portal's async mode: join a room, send → broadcast to the room and
    acknowledge with an id. Threading runs on Werkzeug's server as run.py does; gevent on gevent's own
    WSGI server (gunicorn's gevent worker is built on it)."""
    if async_mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    import socketio

    sio = socketio.Server(async_mode=async_mode, async_handlers=False)
    ids = itertools.count(1)

    @sio.on("join", namespace=NAMESPACE)
    def join(sid, data):
        sio.enter_room(sid, f"request-{data['request_id']}", namespace=NAMESPACE)
        return {"ok": True}

    @sio.on("send", namespace=NAMESPACE)
    def send(sid, data):
        message = {"id": next(ids), "request_id": data["request_id"], "text": data["text"],
                   "client_id": data["client_id"]}
        sio.emit("message", message, to=f"request-{data['request_id']}", namespace=NAMESPACE)
        return {"ok": True, "message": message}

    @sio.on("read", namespace=NAMESPACE)
    def read(sid, data):  # the page's read mark: the portal stores it, the bare server only takes it
        pass

    print(f"bare server ({async_mode}) on {port}", flush=True)
    if async_mode == "gevent":
        from gevent.pywsgi import WSGIServer

        WSGIServer(("127.0.0.1", port), socketio.WSGIApp(sio), log=None).serve_forever()
    else:
        from werkzeug.serving import run_simple

        run_simple("127.0.0.1", port, socketio.WSGIApp(sio), threaded=True)


# --- the portal: its database and sessions --------------------------------------------------------

def seed_portal(folder: Path, secret: str, clients: int, room_size: int) -> tuple[str, list[int], list[str]]:
    """A fresh SQLite portal with the demo region, one request chat per room and one user per connection
    (a member of his room's chat). Returns the database URL, each connection's request id and cookie."""
    os.environ.update(TMK_INSTANCE_PATH=str(folder / "instance"), SECRET_KEY=secret)
    import sqlalchemy as sa
    from flask.sessions import SecureCookieSessionInterface
    from flask_migrate import upgrade

    from app import create_app
    from app.demo import load_demo
    from app.extensions import db
    from app.models import DialogMember, TmkUser
    from app.security.roles import sync_roles
    from app.security.sessions import EPOCH_KEY, SESSION_ID_KEY
    from app.workflow.chat import dialog_of
    from tests.requests_helpers import new_request

    url = f"sqlite:///{folder / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        sync_roles(app.appbuilder)
        load_demo()
        rooms = [new_request().id for _ in range((clients + room_size - 1) // room_size)]
        db.session.execute(sa.insert(TmkUser.__table__), [
            {"username": f"bench_s{i:04d}", "first_name": "Иван", "last_name": f"Бенчев{i}", "active": True,
             "email": f"bench_s{i}@bench.tmk.local", "password": "!",  # no login: the cookie is signed here
             "email_notifications": False, "login_count": 0, "fail_login_count": 0}
            for i in range(clients)])
        users = [r.id for r in db.session.execute(sa.text(
            "SELECT id FROM ab_user WHERE username LIKE 'bench_s%' ORDER BY username"))]
        request_of = [rooms[i // room_size] for i in range(clients)]
        dialogs = {r: dialog_of(db.session, r).id for r in rooms}
        db.session.execute(sa.insert(DialogMember.__table__), [
            {"dialog_id": dialogs[r], "user_id": u, "last_read_message_id": 0} for u, r in zip(users, request_of)])
        db.session.commit()
        signer = SecureCookieSessionInterface().get_signing_serializer(app)
        # what a login puts in the session: the user, the account's epoch and the session's own id
        cookies = [f"{app.config['SESSION_COOKIE_NAME']}=" + signer.dumps(
                       {"_user_id": str(u), "_fresh": False, EPOCH_KEY: 0, SESSION_ID_KEY: f"bench-{u}"})
                   for u in users]
        db.engine.dispose()
    return url, request_of, cookies


# --- server processes -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, command: list[str], env: dict, log: Path, port: int):
        self.url, self.log = f"http://127.0.0.1:{port}", log
        with log.open("w") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"the server stopped:\n{self.log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", int(self.url.rsplit(":", 1)[1])), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        sys.exit(f"the server did not come up:\n{self.log.read_text()[-3000:]}")

    def pids(self) -> list[int]:
        """The server and its children (gunicorn's workers)."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            children = Path(f"/proc/{pid}/task/{pid}/children")
            todo += [int(c) for c in children.read_text().split()] if children.exists() else []
        return found

    def usage(self) -> dict:
        """CPU seconds so far, resident memory and threads of the server's processes, from /proc."""
        total = {"cpu": 0.0, "rss_mb": 0.0, "threads": 0}
        for pid in self.pids():
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
            total["cpu"] += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
            total["rss_mb"] += int(status["VmRSS"].split()[0]) / 1024
            total["threads"] += int(status["Threads"])
        return total

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- the load -----------------------------------------------------------------------------------------

class Load:
    """The connections of one run and what they received: client_id → send time, arrival times."""

    def __init__(self, url: str, request_of: list[int], cookies: list[str] | None):
        self.url, self.request_of, self.cookies = url, request_of, cookies
        self.tag = uuid.uuid4().hex[:8]  # the portal keeps a client id once: each round sends new ones
        self.members, self.sent, self.arrivals, self.acks, self.failed = [], {}, {}, [], 0
        self.reads, self.read_tasks = 0, set()

    async def connect(self, i: int):
        import socketio

        client = socketio.AsyncClient(reconnection=False)
        client.bench_index, client.last_id, client.read_due = i, 0, False

        async def mark_read():  # as the page does: the last message shown, at most once a second
            await asyncio.sleep(1.0)
            client.read_due = False
            if client.connected:
                self.reads += 1
                await client.emit("read", {"request_id": self.request_of[i], "message_id": client.last_id},
                                  namespace=NAMESPACE)

        async def on_message(data):
            if data.get("client_id") and not data["client_id"].startswith(f"{i}-"):
                self.arrivals.setdefault(data["client_id"], []).append(time.perf_counter())
            client.last_id = max(client.last_id, data.get("id") or 0)
            if not client.read_due:
                client.read_due = True
                task = asyncio.create_task(mark_read())
                self.read_tasks.add(task)
                task.add_done_callback(self.read_tasks.discard)

        client.on("message", on_message, namespace=NAMESPACE)
        headers = {"Cookie": self.cookies[i]} if self.cookies else {}
        try:
            # a server out of threads never answers the handshake: give up after a minute
            await asyncio.wait_for(client.connect(self.url, headers=headers, transports=["websocket"],
                                                  namespaces=[NAMESPACE], wait_timeout=60), 60)
            answer = await client.call("join", {"request_id": self.request_of[i]}, namespace=NAMESPACE, timeout=60)
            if answer.get("ok"):
                self.members.append(client)
                return
        except Exception as error:  # counted: connections held is the figure
            print(f"  connection {i}: {error!r}", file=sys.stderr)
        await client.disconnect()

    async def connect_all(self, parallel: int = 25) -> float:
        started, gate = time.perf_counter(), asyncio.Semaphore(parallel)

        async def one(i):
            async with gate:
                await self.connect(i)

        await asyncio.gather(*(one(i) for i in range(len(self.request_of))))
        return time.perf_counter() - started

    async def send(self, client, seq: int) -> bool:
        client_id = f"{client.bench_index}-{self.tag}{seq}"
        self.sent[client_id] = time.perf_counter()
        try:
            answer = await client.call("send", {"request_id": self.request_of[client.bench_index],
                                                "text": f"bench {seq}", "client_id": client_id},
                                       namespace=NAMESPACE, timeout=30)
            if answer.get("ok"):
                self.acks.append((time.perf_counter() - self.sent[client_id]) * 1000)
                return True
        except Exception:
            pass
        self.failed += 1
        del self.sent[client_id]
        return False

    async def offered(self, rate: float, duration: float, seqs) -> None:
        """Sends at a fixed rate, each without waiting for the last: an open-loop load."""
        tasks, start = [], time.perf_counter()
        for k in range(int(rate * duration)):
            await asyncio.sleep(max(0.0, start + k / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(self.send(random.choice(self.members), next(seqs))))
        await asyncio.gather(*tasks)

    async def saturate(self, senders: int, duration: float, seqs) -> None:
        """Each sender sends the next message when the last is acknowledged: the server sets the pace."""
        stop = time.perf_counter() + duration

        async def sender(client):
            while time.perf_counter() < stop:
                await self.send(client, next(seqs))

        await asyncio.gather(*(sender(c) for c in random.sample(self.members, min(senders, len(self.members)))))

    def expected(self) -> int:
        size = {}
        for client in self.members:
            size[self.request_of[client.bench_index]] = size.get(self.request_of[client.bench_index], 0) + 1
        return sum(size[self.request_of[int(cid.split("-")[0])]] - 1 for cid in self.sent)

    def delivered(self) -> int:
        return sum(len(times) for cid, times in self.arrivals.items() if cid in self.sent)

    async def drain(self, quiet: float = 2.0, limit: float = 30.0) -> None:
        """Until no copy arrives for `quiet` seconds (or all have): what is missing then is lost."""
        deadline, last, seen = time.perf_counter() + limit, time.perf_counter(), -1
        while time.perf_counter() < deadline and self.delivered() < self.expected():
            if self.delivered() != seen:
                seen, last = self.delivered(), time.perf_counter()
            elif time.perf_counter() - last > quiet:
                break
            await asyncio.sleep(0.1)

    def latencies_ms(self) -> list[float]:
        return sorted((t - self.sent[cid]) * 1000 for cid, times in self.arrivals.items() if cid in self.sent
                      for t in times)

    def reset(self) -> None:
        self.sent, self.arrivals, self.acks, self.failed, self.reads = {}, {}, [], 0, 0

    async def close(self) -> None:
        for task in list(self.read_tasks):
            task.cancel()
        await asyncio.gather(*(c.disconnect() for c in self.members), return_exceptions=True)


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else float("nan")


async def measure(server: Server, request_of: list[int], cookies, args) -> dict:
    load, seqs = Load(server.url, request_of, cookies), itertools.count(1)
    before = server.usage()
    connect_s = await load.connect_all()
    figures = {"connect_s": connect_s, "held": len(load.members)}
    if not load.members:
        return figures

    await load.offered(args.rate, args.duration, seqs)
    await load.drain()
    latencies, expected = load.latencies_ms(), load.expected()
    figures.update(offered=int(args.rate * args.duration), acked=len(load.sent), send_failed=load.failed,
                   reads_per_s=load.reads / args.duration,
                   copies_per_s=load.delivered() / args.duration, lost=expected - load.delivered(),
                   p50=percentile(latencies, 50), p95=percentile(latencies, 95), p99=percentile(latencies, 99),
                   ack_p50=percentile(sorted(load.acks), 50), ack_p95=percentile(sorted(load.acks), 95))

    load.reset()
    started = time.perf_counter()
    await load.saturate(args.senders, args.duration, seqs)
    elapsed = time.perf_counter() - started
    await load.drain()
    latencies = load.latencies_ms()
    figures.update(sat_msgs_per_s=len(load.sent) / elapsed, sat_reads_per_s=load.reads / elapsed, sat_copies_per_s=load.delivered() / elapsed,
                   sat_lost=load.expected() - load.delivered(), sat_failed=load.failed,
                   sat_p95=percentile(latencies, 95))
    figures["held_end"] = sum(1 for c in load.members if c.connected)
    after = server.usage()
    figures.update(cpu_s=after["cpu"] - before["cpu"], rss_mb=after["rss_mb"], threads=after["threads"])
    await load.close()
    return figures


# --- the report ---------------------------------------------------------------------------------------

ROWS = [
    ("connections held (after joining)", "held", "{:.0f}"),
    ("connections held at the end", "held_end", "{:.0f}"),
    ("time to connect and join all, s", "connect_s", "{:.1f}"),
    ("offered messages / acknowledged / failed", None, None),
    ("copies delivered per second", "copies_per_s", "{:.1f}"),
    ("read marks sent per second", "reads_per_s", "{:.1f}"),
    ("latency p50, ms", "p50", "{:.1f}"),
    ("latency p95, ms", "p95", "{:.1f}"),
    ("latency p99, ms", "p99", "{:.1f}"),
    ("copies lost", "lost", "{:.0f}"),
    ("sender's acknowledgement p50 / p95, ms", None, None),
    ("saturation: messages/s acknowledged", "sat_msgs_per_s", "{:.1f}"),
    ("saturation: copies/s delivered", "sat_copies_per_s", "{:.1f}"),
    ("saturation: read marks sent per second", "sat_reads_per_s", "{:.1f}"),
    ("saturation: latency p95, ms", "sat_p95", "{:.1f}"),
    ("saturation: copies lost / sends failed", None, None),
    ("server CPU seconds (whole run)", "cpu_s", "{:.1f}"),
    ("server memory (RSS), MB", "rss_mb", "{:.0f}"),
    ("server threads", "threads", "{:.0f}"),
]


def cell(figures: dict, key, fmt, label: str) -> str:
    if key is None and label.startswith("offered"):
        return f"{figures.get('offered', '-')} / {figures.get('acked', '-')} / {figures.get('send_failed', '-')}"
    if key is None and label.startswith("sender"):
        return f"{figures.get('ack_p50', float('nan')):.0f} / {figures.get('ack_p95', float('nan')):.0f}"
    if key is None:
        return f"{figures.get('sat_lost', '-')} / {figures.get('sat_failed', '-')}"
    return fmt.format(figures[key]) if key in figures else "-"


# of several rounds: the worst for what must hold in every one, the median for the rest
WORST = {"held": min, "held_end": min, "lost": max, "sat_lost": max, "send_failed": max, "sat_failed": max}


def combined(rounds: list[dict]) -> dict:
    keys = set().union(*rounds)
    return {key: WORST.get(key, statistics.median)([r[key] for r in rounds if key in r]) for key in keys}


def report(portal_rounds: list[dict], bare_rounds: list[dict], args, mode: str) -> None:
    portal, bare = combined(portal_rounds), combined(bare_rounds)
    print(f"\n{args.clients} connections in rooms of {args.room_size}, {args.rate} msgs/s offered for "
          f"{args.duration} s, then {args.senders} senders back to back for {args.duration} s; {args.rounds} "
          f"round(s) in turns: medians, and the worst round for connections held and copies lost")
    bare_server_name = "gevent's WSGI server" if mode == "gevent" else "Werkzeug"
    print(f"portal: {args.server_cmd or 'python run.py'} (async_mode={mode}); bare: python-socketio {mode} "
          f"on {bare_server_name}; load average {os.getloadavg()[0]:.2f}\n")
    print(f"{'':44}{'portal':>16}{'bare':>16}")
    for label, key, fmt in ROWS:
        print(f"{label:44}{cell(portal, key, fmt, label):>16}{cell(bare, key, fmt, label):>16}")
    ratios = [p["sat_msgs_per_s"] / b["sat_msgs_per_s"] for p, b in zip(portal_rounds, bare_rounds)
              if p.get("sat_msgs_per_s") and b.get("sat_msgs_per_s")]
    if ratios:
        print(f"\nthroughput portal/bare, round by round: {', '.join(f'{r:.2f}' for r in ratios)}; "
              f"median {statistics.median(ratios):.2f} (target ≥ 0.5)")
    verdict = {"500 connections held": portal.get("held_end", 0) >= min(500, args.clients),
               "p95 ≤ 250 ms": portal.get("p95", 1e9) <= 250,
               # a send never acknowledged is lost too (the page would send it again over HTTP)
               "0 lost": all(portal.get(k) == 0 for k in ("lost", "sat_lost", "send_failed", "sat_failed"))}
    print("targets: " + ", ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in verdict.items()))


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(needed, soft)), hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < needed:
        sys.exit(f"ulimit -n is below {needed}: raise it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--room-size", type=int, default=8)
    parser.add_argument("--rate", type=float, default=20.0, help="messages/s offered")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of each phase")
    parser.add_argument("--senders", type=int, default=100, help="back-to-back senders of the saturation phase")
    parser.add_argument("--rounds", type=int, default=3,
                        help="the portal and the bare server measured in turns this many times; medians reported")
    parser.add_argument("--server-cmd", default="", help="the portal's server command instead of run.py; {port}")
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    async_mode = os.environ.get("TMK_SOCKETIO_ASYNC_MODE", "threading")  # the servers get this environment
    if args.bare_server:
        bare_server(args.bare_server, async_mode)
        return
    raise_fd_limit(4 * args.clients + 256)

    folder = Path(tempfile.mkdtemp(prefix="tmk-socket-bench-"))
    secret = uuid.uuid4().hex
    print(f"seeding {args.clients} users in {folder} …", flush=True)
    url, request_of, cookies = seed_portal(folder, secret, args.clients, args.room_size)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret, "TMK_INSTANCE_PATH": str(folder / "instance"),
           "AUTH_RATE_LIMITED": "false", "REDIS_URL": ""}

    portal_port, bare_port = free_port(), free_port()
    command = (shlex.split(args.server_cmd.format(port=portal_port)) if args.server_cmd
               else [sys.executable, "run.py", "--port", str(portal_port)])
    runs = {"portal": (command, portal_port, cookies),
            "bare": ([sys.executable, __file__, "--bare-server", str(bare_port)], bare_port, None)}
    results = {name: [] for name in runs}
    for turn in range(1, args.rounds + 1):
        for name, (server_command, port, run_cookies) in runs.items():
            server = Server(server_command, env, folder / f"{name}-{turn}.log", port)
            try:
                server.wait_ready()
                print(f"round {turn}, {name}: measuring …", flush=True)
                figures = asyncio.run(measure(server, request_of, run_cookies, args))
                results[name].append(figures)
                print(f"  saturation {figures.get('sat_msgs_per_s', 0):.0f} msgs/s, p95 at {args.rate:.0f} msgs/s "
                      f"{figures.get('p95', float('nan')):.0f} ms, lost {figures.get('lost')} + "
                      f"{figures.get('sat_lost')}", flush=True)
            finally:
                server.stop()
    report(results["portal"], results["bare"], args, async_mode)
    print(f"\nserver logs in {folder}")


if __name__ == "__main__":
    main()
