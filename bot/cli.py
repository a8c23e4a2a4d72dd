"""`boussole` command: check, train, run (or rasa + serve, scaled out), ask.

Operator messages are in English; the assistant's replies are French.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Optional

import httpx
from pydantic import ValidationError

from bot import filemodes, logsetup, nlu_data
from bot.discovery.data_check import discovery_problems
from bot.errors import BoussoleError, Errors
from bot.knowledge import KnowledgeBase, catalogue, dares, load_knowledge, rome, shared_knowledge
from bot.rasa import process as rasa_process
from bot.resolve.names import everyday_problems
from bot.rasa import stores
from bot.report.findings import DEFAULT_THRESHOLD
from bot.report.formats import FORMATS
from bot.report.run import SINCE_HELP, build_report, parse_since
from bot.settings import Settings, get_settings

log = logging.getLogger("boussole")


def _load(settings: Settings, load=load_knowledge) -> KnowledgeBase:
    kb = load(settings.knowledge_dir)
    print(f"knowledge: {len(kb.sheets)} sheet(s) valid in {settings.knowledge_dir}: {', '.join(kb.sheets)}")
    return kb


def _sync_nlu(settings: Settings, kb: KnowledgeBase) -> None:
    if not nlu_data.is_up_to_date(kb, settings.home):
        path = nlu_data.write(kb, settings.home)
        print(f"nlu: regenerated {path.relative_to(settings.home)}/ from the knowledge")


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    stale = [(error, generated, sources) for source, error, generated, sources in (
        (rome, Errors.E034, rome.FICHES_FILE, rome.SOURCES_DIR), (dares, Errors.E036, dares.FAMILIES_FILE, dares.SOURCES_DIR))
        if not source.is_up_to_date(settings.knowledge_dir)]
    if stale and not args.fix:
        for error, generated, sources in stale:
            print(error.format(file=settings.knowledge_dir / generated, sources=settings.knowledge_dir / sources),
                  file=sys.stderr)
        return 1
    if stale:
        _sync_sources(settings)
    kb = _load(settings)
    fiches = rome.load_fiches(settings.knowledge_dir)
    problems = everyday_problems(settings.knowledge_dir, list(kb.sheets.values()), fiches, kb.catalogue)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"names: {len(fiches)} ROME 4.0 fiches and the everyday names are valid")
    problems = discovery_problems(settings.knowledge_dir)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print("discovery: centres d'intérêt words, study levels and quiz are valid")
    if kb.families:
        reached = sum(1 for code in kb.fiches if kb.salary_families(code))
        print(f"dares: {len(kb.families)} families; {reached} of {len(kb.fiches)} ROME fiches reach a median")
    if not nlu_data.is_up_to_date(kb, settings.home):
        if not args.fix:
            print(Errors.E020.format(file=settings.home / nlu_data.GENERATED_FILE.parent), file=sys.stderr)
            return 1
        _sync_nlu(settings, kb)
    print("nlu: generated lookups and synonyms are up to date")
    command = rasa_process._rasa_command(
        "data", "validate", "--domain", "domain.yml", "--data", "data/nlu", "data/rules.yml", "--config", "config.yml"
    )
    result = subprocess.run(command, cwd=settings.home, env=rasa_process.rasa_env(settings))
    if result.returncode != 0:
        print("rasa data validate failed: see the messages above", file=sys.stderr)
        return 1
    print("check: knowledge and NLU data are valid")
    return 0


def cmd_import_onisep_index(args: argparse.Namespace, settings: Settings) -> int:
    source = Path(args.file)
    print(f"import: reading ONISEP's index {source}")
    entries = catalogue.parse_onisep_index(source)
    target = settings.knowledge_dir / catalogue.INDEX_FILE
    catalogue.write_catalogue(entries, source, target)
    names = sum(len(e.names) for e in entries)
    print(f"import: {len(entries)} métiers ({names} names) written to {target}; run `boussole train` to use them")
    return 0


def cmd_import_rome(args: argparse.Namespace, settings: Settings) -> int:
    print(f"import: reading ROME 4.0 from {args.folder} (a few seconds)")
    target = rome.import_release(args.folder, settings.knowledge_dir)
    count = len(rome.load_fiches(settings.knowledge_dir))
    print(f"import: {count} fiches written to {target}; sources copied to {settings.knowledge_dir / rome.SOURCES_DIR}")
    return 0


def _sync_sources(settings: Settings) -> None:
    """The ROME fiches are generated from the copied sources, not kept in git: build them when stale;
    the Dares' families too, when their copied files changed."""
    if not rome.is_up_to_date(settings.knowledge_dir):
        print("rome: generating the ROME 4.0 fiches from data/knowledge/sources/rome (a few seconds)")
        target = rome.generate(settings.knowledge_dir)
        print(f"rome: {len(rome.load_fiches(settings.knowledge_dir))} fiches written to {target}")
    if not dares.is_up_to_date(settings.knowledge_dir):
        target = dares.generate(settings.knowledge_dir)
        print(f"dares: {len(dares.load_families(settings.knowledge_dir))} families written to {target}")


def cmd_import_dares(args: argparse.Namespace, settings: Settings) -> int:
    print(f"import: reading the Dares' families of métiers from {args.folder}")
    target = dares.import_release(args.folder, settings.knowledge_dir)
    families = dares.load_families(settings.knowledge_dir)
    fiches = rome.load_fiches(settings.knowledge_dir)
    by_rome = dares.families_by_rome(families)
    reached = sum(1 for f in fiches if dares.families_of(f, by_rome))
    print(f"import: {len(families)} families written to {target}; {reached} of {len(fiches)} ROME fiches reach one "
          f"with a median; sources copied to {settings.knowledge_dir / dares.SOURCES_DIR}")
    return 0


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    _sync_sources(settings)
    kb = _load(settings)
    _sync_nlu(settings, kb)
    if rasa_process.model_is_current(settings) and not args.force:
        print(f"train: {rasa_process.model_path(settings)} is up to date (use --force to retrain)")
        return 0
    print("train: training the Rasa model (NLU + rules); Rasa shows its progress below")
    started = time.monotonic()
    rasa_process.train(settings, force=True)
    print(f"train: done in {time.monotonic() - started:.0f} s -> {rasa_process.model_path(settings)}")
    return 0


class RasaSupervisor:
    """Keep one Rasa child alive: restart it if it dies, stop it on exit."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.log_file = settings.state_dir / "rasa.log"
        self._process: Optional[subprocess.Popen] = None
        self._stopping = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._loop, name="rasa-supervisor", daemon=True).start()

    def _loop(self) -> None:
        backoff = 1.0
        while not self._stopping.is_set():
            if rasa_process.port_in_use(self.settings.rasa_host, self.settings.rasa_port):
                print(f"rasa: port {self.settings.rasa_port} is busy (another Rasa still running?); "
                      f"retrying in {backoff:.0f} s", file=sys.stderr, flush=True)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            print(f"rasa: starting on {self.settings.rasa_url} (log: {self.log_file})", flush=True)
            self._process = rasa_process.start_server(self.settings, log_file=self.log_file)
            if rasa_process.wait_until_ready(self.settings, self._process):
                print(f"ready: Boussole answers on http://{self.settings.host}:{self.settings.port} "
                      f"(try: boussole ask \"C'est quoi un ingénieur ML ?\")", flush=True)
                backoff = 1.0
            self._process.wait()
            if self._stopping.is_set():
                return
            print(f"rasa: exited with code {self._process.returncode}; restarting in {backoff:.0f} s "
                  f"(see {self.log_file})", file=sys.stderr, flush=True)
            time.sleep(backoff)
            backoff = min(backoff * 2, 30.0)

    def stop(self) -> None:
        self._stopping.set()
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from bot.web.app import create_app
    from bot.web.http_limits import uvicorn_options

    _sync_sources(settings)  # a fresh clone has the ROME sources, not the fiches generated from them
    # The app built below reads the same copy (shared_knowledge): loaded once in this process.
    kb = _load(settings, lambda directory: shared_knowledge(Path(directory).resolve()))
    for name, host, port in (("service", settings.host, settings.port), ("Rasa", settings.rasa_host, settings.rasa_port)):
        if rasa_process.port_in_use("127.0.0.1" if host == "0.0.0.0" else host, port):
            print(f"error: port {port} for the {name} is already in use (is Boussole already running?); "
                  f"stop it or set BOUSSOLE_{'PORT' if name == 'service' else 'RASA_PORT'}", file=sys.stderr)
            return 1
    filemodes.secure_state(settings)  # 0700 / 0600: conversations are private
    _check_stores(settings)
    if args.no_train and rasa_process.model_path(settings).is_file():
        if not (nlu_data.is_up_to_date(kb, settings.home) and rasa_process.model_is_current(settings)):
            print("warning: the model is older than the data; serving it anyway (--no-train)", file=sys.stderr)
    else:
        _sync_nlu(settings, kb)
        if not rasa_process.model_is_current(settings):
            print("train: no model for the current data; training first (about 2-4 minutes)")
            rasa_process.train(settings, force=True)
    # The two-process stack talks to its own Rasa child, whatever BOUSSOLE_RASA_URLS says.
    app = create_app(settings.copy(update={"rasa_urls": None}))
    supervisor = RasaSupervisor(settings)
    supervisor.start()
    # uvicorn re-raises SIGTERM after its graceful shutdown: turn it into SystemExit
    # so that the `finally` below still stops Rasa.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", **uvicorn_options(settings))
    finally:
        supervisor.stop()
    return 0


def _check_stores(settings: Settings) -> None:
    """Rasa's tracker and lock stores are usable (StoreError otherwise), before anything starts."""
    stores.preflight(settings)
    print(f"stores: {stores.describe(settings)}", flush=True)


def _require_shared_token(command: str) -> Optional[str]:
    """`boussole rasa` and `boussole serve` run apart: they must be given the same Rasa token."""
    if os.environ.get("BOUSSOLE_RASA_TOKEN"):
        return None
    return (f"error: `boussole {command}` needs BOUSSOLE_RASA_TOKEN, set to the same secret for "
            f"`boussole rasa` and `boussole serve` (e.g. `export BOUSSOLE_RASA_TOKEN=$(openssl rand -hex 24)`)")


def cmd_rasa(args: argparse.Namespace, settings: Settings) -> int:
    """One Rasa server in the foreground, for `boussole serve` (or a load balancer) to use.

    It trains nothing (several servers would train at once): `boussole train`
    comes first. The process becomes Rasa itself (exec), so a process manager's
    signals reach Rasa directly.
    """
    problem = _require_shared_token("rasa")
    if problem:
        print(problem, file=sys.stderr)
        return 1
    settings = settings.copy(update={"rasa_port": args.port or settings.rasa_port,
                                     "rasa_host": args.host or settings.rasa_host})
    model = rasa_process.model_path(settings)
    if not model.is_file():
        print(f"error: no model at {model}; run `boussole train` first", file=sys.stderr)
        return 1
    if not rasa_process.model_is_current(settings):
        print(f"warning: {model} is older than the training data; serving it anyway (run `boussole train`)",
              file=sys.stderr)
    if rasa_process.port_in_use("127.0.0.1" if settings.rasa_host == "0.0.0.0" else settings.rasa_host,
                                settings.rasa_port):
        print(f"error: port {settings.rasa_port} is already in use; choose another with --port", file=sys.stderr)
        return 1
    filemodes.secure_state(settings)  # 0700 / 0600: conversations are private
    _check_stores(settings)
    warning = stores.lock_store_warning(settings)
    if warning:
        print(warning, file=sys.stderr)
    print(f"rasa: starting on {settings.rasa_url}; actions at {settings.action_url}", flush=True)
    os.chdir(settings.home)
    command = rasa_process.server_command(settings)
    os.umask(filemodes.PRIVATE_UMASK)  # Rasa creates the SQLite tracker file: 0600
    os.execve(command[0], command, rasa_process.server_env(settings))
    return 0  # not reached


def _fresh_metrics_dir(settings: Settings) -> None:
    """Several workers share /metrics through prometheus_client's multiprocess mode
    (bot/web/metrics.py): an empty directory, named before any worker starts."""
    directory = filemodes.private_dir(Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.state_dir / "metrics"))
    for stale in directory.glob("*.db"):  # a previous run's values would be added to this one's
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """The public service alone: N uvicorn workers on one port, Rasa servers elsewhere."""
    import uvicorn

    from bot.web.http_limits import uvicorn_options

    problem = _require_shared_token("serve")
    if problem:
        print(problem, file=sys.stderr)
        return 1
    if args.workers < 1:
        print("error: --workers must be 1 or more", file=sys.stderr)
        return 1
    _sync_sources(settings)  # once, before the workers load the knowledge
    _load(settings)  # a bad knowledge file stops here, not in every worker
    filemodes.secure_state(settings)  # the workers write the id-signing key there
    host, port = args.host or settings.host, args.port or settings.port
    if rasa_process.port_in_use("127.0.0.1" if host == "0.0.0.0" else host, port):
        print(f"error: port {port} is already in use; choose another with --port or BOUSSOLE_PORT", file=sys.stderr)
        return 1
    # Workers build their settings from the environment: give them the address they serve
    # (one worker runs in this process, where the settings were read already).
    os.environ.update(BOUSSOLE_HOST=host, BOUSSOLE_PORT=str(port))
    get_settings.cache_clear()
    if args.workers > 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _fresh_metrics_dir(settings)
    print(f"serve: {args.workers} worker(s) on http://{host}:{port}; Rasa servers: {', '.join(settings.rasa_url_list)}",
          flush=True)
    uvicorn.run("bot.web.app:create_app", factory=True, host=host, port=port, workers=args.workers,
                log_level="warning", **uvicorn_options(settings))
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    url = args.url or f"http://127.0.0.1:{settings.port}"
    body = {"message": args.question}
    if args.conversation:
        body["conversation_id"] = args.conversation
    try:
        response = httpx.post(f"{url}/api/chat", json=body, timeout=60)
    except httpx.HTTPError as exc:
        print(f"error: Boussole does not answer at {url} ({exc}); start it with ./run.sh or `boussole run`", file=sys.stderr)
        return 2
    data = response.json()
    if response.status_code != 200:
        print(data.get("detail", data), file=sys.stderr)
        return 1
    for reply in data["replies"]:
        print(reply["text"])
        if reply["buttons"]:
            print("  " + "  ".join(f"[{b['title']}]" for b in reply["buttons"]))
    print(f"(conversation: {data['conversation_id']} — pass --conversation to continue it)", file=sys.stderr)
    return 0


def since_argument(value: str) -> float:
    try:
        return parse_since(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """What the assistant failed on, ranked, from Rasa's tracker store (sender ids never shown)."""
    print(f"report: reading {stores.tracker_url(settings).render_as_string(hide_password=True)}",
          file=sys.stderr, flush=True)
    started = time.monotonic()

    def progress(read: int, total: int) -> None:
        print(f"report: {read:,} of {total:,} events read ({read * 100 // max(total, 1)} %)", file=sys.stderr, flush=True)

    text, findings = build_report(settings, args.format, since=args.since, threshold=args.threshold, progress=progress)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(f"report: {findings.turns:,} turns of {findings.conversations:,} conversations in "
          f"{time.monotonic() - started:.1f} s" + (f"; written to {args.output}" if args.output else ""),
          file=sys.stderr, flush=True)
    return 0


def cmd_telegram_set_webhook(args: argparse.Namespace, settings: Settings) -> int:
    """Register the webhook with Telegram, with the secret it must send back."""
    if not settings.telegram_bot_token or not settings.telegram_secret_token:
        print("error: set BOUSSOLE_TELEGRAM_BOT_TOKEN and BOUSSOLE_TELEGRAM_SECRET_TOKEN first", file=sys.stderr)
        return 1
    url = args.url if args.url.rstrip("/").endswith("/channels/telegram") else args.url.rstrip("/") + "/channels/telegram"
    if not url.startswith("https://"):
        print(f"error: Telegram only calls HTTPS webhooks; got {url}", file=sys.stderr)
        return 1
    api = f"{settings.telegram_api_base.rstrip('/')}/bot{settings.telegram_bot_token}/setWebhook"
    body = {"url": url, "secret_token": settings.telegram_secret_token,
            "allowed_updates": ["message", "edited_message", "callback_query"]}
    try:
        response = httpx.post(api, json=body, timeout=30)
        result = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        print(f"error: Telegram did not answer ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 1
    if not result.get("ok"):
        print(f"error: Telegram refused the webhook: {result.get('description', response.status_code)}", file=sys.stderr)
        return 1
    print(f"telegram: webhook set to {url}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="boussole", description="Boussole, assistant d'orientation (Rasa + FastAPI).")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the knowledge and NLU data without training")
    check.add_argument("--fix", action="store_true", help="regenerate the NLU data derived from the knowledge")
    check.set_defaults(func=cmd_check)
    importer = sub.add_parser("import", help="import open data into the knowledge").add_subparsers(dest="what", required=True)
    onisep = importer.add_parser("onisep-index", help="ONISEP's Idéo-Métiers XML -> data/knowledge/index/ (job lookup)")
    onisep.add_argument("file", help="the XML file as published (ideo-metiers_onisep.xml)")
    onisep.set_defaults(func=cmd_import_onisep_index)
    rome_import = importer.add_parser("rome", help="France Travail's ROME 4.0 CSV release -> data/knowledge/ (every fiche)")
    rome_import.add_argument("folder", help="the folder of the RefRomeCsv release (unix_*_v460_utf8.csv files)")
    rome_import.set_defaults(func=cmd_import_rome)
    dares_import = importer.add_parser("dares", help="the Dares' salaries by family of métiers -> data/knowledge/")
    dares_import.add_argument("folder", help="the folder of the Dares' files (salaire_median_3niv.csv, fap225_rome.csv…)")
    dares_import.set_defaults(func=cmd_import_dares)
    train = sub.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true", help="train even if the model is up to date")
    train.set_defaults(func=cmd_train)
    run = sub.add_parser("run", help="train if needed, then serve Boussole (FastAPI public, Rasa on loopback)")
    run.add_argument("--no-train", action="store_true", help="serve the existing model even if the data changed")
    run.set_defaults(func=cmd_run)
    rasa = sub.add_parser("rasa", help="run one Rasa server alone, in the foreground (scaled-out layout)")
    rasa.add_argument("--port", type=int, help="port (default $BOUSSOLE_RASA_PORT, 5005)")
    rasa.add_argument("--host", help="interface (default $BOUSSOLE_RASA_HOST, 127.0.0.1)")
    rasa.set_defaults(func=cmd_rasa)
    serve = sub.add_parser("serve", help="run the public service alone, with N workers on one port (scaled-out layout)")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes sharing the port (default 1)")
    serve.add_argument("--port", type=int, help="port (default $BOUSSOLE_PORT, 8000)")
    serve.add_argument("--host", help="interface (default $BOUSSOLE_HOST, 127.0.0.1)")
    serve.set_defaults(func=cmd_serve)
    ask = sub.add_parser("ask", help="ask the running service a question and print the answer")
    ask.add_argument("question")
    ask.add_argument("--conversation", help="conversation id printed by a previous ask")
    ask.add_argument("--url", help="service URL (default http://127.0.0.1:$BOUSSOLE_PORT)")
    ask.set_defaults(func=cmd_ask)
    report = sub.add_parser("report", help="rank what the assistant failed on, from Rasa's tracker store")
    report.add_argument("--since", type=since_argument, help=f"only turns since {SINCE_HELP} back from now")
    report.add_argument("--format", choices=FORMATS, default="table",
                        help="table (default), yaml (Rasa NLU examples to review and paste), csv or json")
    report.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help=f"intent confidence below which a turn is reported (default {DEFAULT_THRESHOLD})")
    report.add_argument("--output", help="write the report to this file instead of standard output")
    report.set_defaults(func=cmd_report)
    telegram = sub.add_parser("telegram", help="Telegram channel operations").add_subparsers(dest="action", required=True)
    webhook = telegram.add_parser("set-webhook", help="register https://<public host>/channels/telegram with the secret")
    webhook.add_argument("url", help="public HTTPS base URL of this service (or the full webhook URL)")
    webhook.set_defaults(func=cmd_telegram_set_webhook)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    logsetup.configure()
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            print(f"error: BOUSSOLE_{str(error['loc'][0]).upper()}: {error['msg']}", file=sys.stderr)
        return 2
    try:
        return args.func(args, settings)
    except BoussoleError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"error: {' '.join(map(str, exc.cmd[:4]))} … exited with code {exc.returncode}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
