"""dbt run in the refresh's own process instead of a new ``dbt`` process per call.

A refresh calls dbt twice (before and after the audit). As a subprocess each call paid a Python start, dbt's
imports and loading the project's partial parse (~4 s of a 6 s call on the bundled samples, of which dbt's
own work was 1.4 s). In-process, dbt's programmatic API (``dbtRunner``) loads the project once per refresh
(``parse``, using the home's partial parse) and both calls run on that manifest, so neither parses again.

dagster-dbt drives dbt through ``DbtCliInvocation``, which reads a process's JSON log lines and exit code.
``InProcessDbt`` is that process: it runs ``dbtRunner`` with the same arguments, environment and working
folder, receives dbt's events through a callback and turns each into the line ``--log-format json`` would
have printed (``msg_to_dict``: info level and above, as dbt prints by default), and its return code is dbt's
(0 done, 1 failed nodes, 2 dbt could not run). ``in_process(resource)`` puts it in place of
``subprocess.Popen`` in dagster-dbt's invocation module for the span of one ``DbtCliResource.cli`` call, so
everything else (selection from the Dagster context, events, artifacts) is dagster-dbt's own.

**One partial parse for every home.** dbt reparses the whole project (~5–9 s) when the partial parse it is
handed was written under another profile, and it counts the DuckDB file paths of the profile, which name the
warehouse home. Nothing in the project renders those paths (the sources name the attached database by its
alias), so in this process the profile is compared without the folders of its files (``path`` and each
attached ``path`` by file name): a new home's first call starts from the project's partial parse
(``parse_project``, written with the manifest) instead of parsing in full. Any other difference in the
profile (target, settings, file names, a server's host) still makes dbt parse in full.

**Debug events nobody reads are not built.** dbt builds a protobuf message for every event it fires (twice:
the event, then the message with its header, both through ``json_format.ParseDict``), ~4,900 events on the two
calls of a two-report refresh, 90 % of them debug (each SQL statement, connection, node step). In this process
nothing reads debug events: no logger is set up (``--log-level none``, and no file log) and the callbacks are
``keep`` (info and above) and dbt's own ``track_behavior_change_warn`` (one warning's name). So while that is so,
a debug event's message is built only when something reads it (``_skip_unread_debug_events``): 24 % of dbt's
CPU on the two samples went to ``ParseDict``. A logger or any other callback turns the skipping off.

**Templates compiled once per project version.** dbt compiles every Jinja template it renders (each macro
once per process, each node's SQL and test on every call) from source to Python: ~660 compiles of ~360
distinct templates in a two-report refresh, 1.4 s of its dbt calls. A template's compiled code depends only on
its source and the environment's class, so it is kept by those (``_cache_compiled_templates``): in this
process for the second call, and on disk beside the project's manifest (``target/jinja_bytecode``, Jinja's own
``FileSystemBytecodeCache``, which writes atomically, in a folder per release of Jinja, dbt and Python) for the
next refresh.

**Per-node work nothing reads is skipped** (``_lighter_nodes``): dbt writes each node's SQL twice into the
call's target folder (``compiled/`` and ``run/``, 449 files and 1.0 s of a two-report refresh's dbt calls; the
refresh reads each node's SQL from ``run_results.json``, which keeps it as ``compiled_code``); it builds agate's
type tester anew for every result it fetches (new date parsers each time: 199 builds, 0.2 s), and walks the whole
call stack with ``inspect.stack()`` (reading every frame's source line) to name the module of each behaviour
flag the adapter declares (0.2 s). The type testers are kept by their arguments (they keep no state between
tables), and the flag's module is read from the calling frames' globals. (dbt's message for a failed model
still names its file under ``run/``: its SQL is the result's ``compiled_code``; ``FISCAL_DBT_SUBPROCESS=1``
writes the files.)

After each call dbt-duckdb's connection to the build database is closed: it would otherwise stay open in this
process, and DuckDB refuses a second connection to the file with another configuration (the audit opens it
read-only).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import pprint
import subprocess
import sys
import threading
import types
from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson

from ingest.fingerprint import files_fingerprint

_LEVELS = {"info", "warn", "error"}
# of the project's parse (before the call itself), the one event kept: why dbt parsed the project in full
_PARSE_EVENTS = {"UnableToPartialParse"}
_LOCK = threading.Lock()  # dbt's flags, event manager and adapters are process globals
_MANIFESTS: dict[tuple, object] = {}  # ``_settings_key`` -> the project parsed under it


# the project's own files (relative to its folder): what its manifest is parsed from
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models/**/*.*", "macros/**/*.*", "seeds/**/*.*", "tests/**/*.*")


def _settings_key(env: dict[str, str], cwd: str) -> tuple:
    """What a parsed manifest depends on: the project's files, the profiles folder and the settings the
    profile reads."""
    return (files_fingerprint(PROJECT_FILES, Path(cwd)), os.path.realpath(cwd), env.get("DBT_PROFILES_DIR"),
            tuple(sorted((k, v) for k, v in env.items() if k.startswith("FISCAL_"))))


@contextlib.contextmanager
def _environment(env: dict[str, str], cwd: str) -> Iterator[None]:
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def _close_duckdb() -> None:
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # no dbt-duckdb: nothing held
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def _without_folders(key: str, value):
    """A profile's connection value with each file ``path`` (its own, or an attached database's) reduced to
    the file's name."""
    if key == "path" and isinstance(value, str):
        return os.path.basename(value)
    if isinstance(value, dict):
        return {name: _without_folders(name, item) for name, item in value.items()}
    if isinstance(value, list):
        return [_without_folders(key, item) for item in value]
    return value


def _profile_hash(credentials):
    """dbt's profile hash (``ManifestLoader.build_manifest_state_check``: the sorted connection values) without
    the folders of the profile's files."""
    from dbt.contracts.files import FileHash

    values = sorted((key, _without_folders(key, value)) for key, value in credentials.connection_info())
    return FileHash.from_contents(pprint.pformat(values))


@contextlib.contextmanager
def _partial_parse_across_homes() -> Iterator[None]:
    """dbt's partial-parse state check computes the profile hash without the homes' folders (module doc)."""
    from dbt.parser.manifest import ManifestLoader

    original = ManifestLoader.build_manifest_state_check

    def build_manifest_state_check(self):  # noqa: ANN001, ANN202 (dbt's signature)
        state = original(self)
        state.profile_hash = _profile_hash(self.root_project.credentials)
        return state

    ManifestLoader.build_manifest_state_check = build_manifest_state_check
    try:
        yield
    finally:
        ManifestLoader.build_manifest_state_check = original


def _ignores_debug(callback) -> bool:
    """A callback that reads no debug event: ``keep`` and ``keep_parse`` below (marked), or dbt's tracking of
    behaviour-change warnings."""
    from dbt.tracking import track_behavior_change_warn

    return getattr(callback, "ignores_debug", False) or callback is track_behavior_change_warn


def _skip_unread_debug_events() -> None:
    """Install (once, for the process; called holding ``_LOCK``) dbt's events with their message built on first
    use, and an event manager that drops a debug event when no logger is set up and every callback ignores
    debug events (module doc).

    An event of a debug class keeps its arguments until its message is read (an attribute, or its firing to
    someone who reads it); an event of any other level is built at once, as before. Firing a dropped event had
    no effect but for its message: loggers and callbacks are the only readers, and the warn-as-error handling
    applies to warnings only."""
    from dbt_common.events.base_types import BaseEvent, EventLevel
    from dbt_common.events.event_manager import EventManager

    if getattr(EventManager.fire_event, "skips_unread_debug", False):
        return
    build, read, write, fire = BaseEvent.__init__, BaseEvent.__getattr__, BaseEvent.__setattr__, EventManager.fire_event

    def __init__(self, *args, **kwargs):  # noqa: N807 (dbt's method)
        if self.level_tag() == EventLevel.DEBUG:
            object.__setattr__(self, "_arguments", (args, kwargs))
        else:
            build(self, *args, **kwargs)

    def built(self) -> None:
        arguments = self.__dict__.get("_arguments")
        if arguments is not None:  # built, then marked so: a thread reading it meanwhile builds it too
            build(self, *arguments[0], **arguments[1])
            self.__dict__.pop("_arguments", None)

    def __getattr__(self, key):  # noqa: N807 (only reached for names not set on the event: the message's fields)
        built(self)
        return read(self, key)

    def __setattr__(self, key, value):  # noqa: N807
        if key != "pb_msg":  # dbt's own __init__ sets pb_msg, building it
            built(self)
        write(self, key, value)

    def fire_event(self, e, level=None, node=None, force_warn_or_error_handling=False):
        if ((level or e.level_tag()) == EventLevel.DEBUG and not force_warn_or_error_handling and not self.loggers
                and all(_ignores_debug(callback) for callback in self.callbacks)):
            return
        fire(self, e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    fire_event.skips_unread_debug = True
    BaseEvent.__init__, BaseEvent.__getattr__, BaseEvent.__setattr__ = __init__, __getattr__, __setattr__
    EventManager.fire_event = fire_event


_TEMPLATE_CODE: dict[tuple, types.CodeType] = {}  # (environment class, source, name, file name) -> code
TEMPLATE_CACHE = "jinja_bytecode"  # under the project's target folder (no "-": not a per-call folder to prune)
_template_disk: list = []  # the FileSystemBytecodeCache of the project dbt runs now


def _cache_compiled_templates(project_dir: Path) -> None:
    """Compile dbt's templates through the compiled-template cache (module doc), kept on disk under
    ``project_dir``; installed once for the process, called holding ``_LOCK``. Only compiling from source to
    code is skipped: every render still makes its template from the code, with the globals of its call."""
    from importlib import metadata

    import jinja2
    from dbt_common.clients.jinja import MacroFuzzEnvironment
    from jinja2.bccache import FileSystemBytecodeCache

    # compiled code is Jinja's and dbt's: a folder per their releases and Python's (Jinja's own bytecode check
    # covers its format number and Python's version only)
    versions = "_".join(f"{name}{metadata.version(name)}" for name in ("jinja2", "dbt-common", "dbt-core"))
    folder = project_dir / "target" / TEMPLATE_CACHE / f"py{sys.version_info[0]}{sys.version_info[1]}_{versions}"
    if not _template_disk or _template_disk[0].directory != str(folder):
        folder.mkdir(parents=True, exist_ok=True)
        _template_disk[:] = [FileSystemBytecodeCache(str(folder))]
    if getattr(jinja2.Environment.compile, "cached_for_dbt", False):
        return
    original = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # noqa: A001 (Jinja's)
        if (raw or defer_init or not isinstance(source, str) or not isinstance(self, MacroFuzzEnvironment)
                or os.environ.get("DBT_MACRO_DEBUGGING")):  # dbt's macro debugging registers each compile's source
            return original(self, source, name, filename, raw, defer_init)
        kind = f"{type(self).__module__}.{type(self).__qualname__}"
        key = (kind, source, name, filename)
        code = _TEMPLATE_CODE.get(key)
        if code is None:
            disk = _template_disk[0]
            # the bucket checks the source's checksum; its key names the source too, so that the templates
            # of one name (dbt compiles most without a name) do not take turns in one file
            identity = "\0".join((kind, str(name), hashlib.sha256(source.encode("utf-8")).hexdigest()))
            bucket = disk.get_bucket(self, identity, filename, source)
            code = bucket.code
            if code is None:
                code = bucket.code = original(self, source, name, filename)
                with contextlib.suppress(OSError):  # a read-only project: compiled again by the next process
                    disk.set_bucket(bucket)
            _TEMPLATE_CODE[key] = code
        return code

    compile.cached_for_dbt = True
    jinja2.Environment.compile = compile


def _lighter_nodes() -> None:
    """The three per-node savings of the module doc, installed once for the process."""
    from dbt.contracts.graph import nodes
    from dbt_common import behavior_flags
    from dbt_common.clients import agate_helper

    if getattr(nodes.ParsedNode.write_node, "skipped_in_process", False):
        return

    def write_node(self, project_root: str, compiled_path, compiled_code: str) -> None:  # noqa: ARG001 (dbt's)
        return None

    write_node.skipped_in_process = True
    nodes.ParsedNode.write_node = write_node

    build_type_tester = agate_helper.build_type_tester

    @functools.lru_cache(maxsize=256)
    def kept_type_tester(text_columns: frozenset, string_null_values: tuple | None):
        return build_type_tester(text_columns, string_null_values)

    def type_tester(text_columns, string_null_values=("null", "")):
        return kept_type_tester(frozenset(text_columns),
                                None if string_null_values is None else tuple(string_null_values))

    agate_helper.build_type_tester = type_tester

    def default_source() -> str:  # dbt's: the first calling module other than behavior_flags
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_globals.get("__name__")
            if name and name != behavior_flags.__name__ and not frame.f_code.co_filename.startswith("<"):
                return name
            frame = frame.f_back
        return "Unknown"

    behavior_flags.BehaviorFlagRendered._default_source = staticmethod(default_source)


def parse_project(project_dir: Path, target_path: Path) -> None:
    """``dbt parse`` of the project in this process: ``manifest.json`` (what the Dagster definitions are made
    from) and the partial parse every home's first call starts from, both in ``project_dir / target_path``."""
    from dbt.cli.main import dbtRunner

    env = dict(os.environ)
    with _LOCK, _environment(env, str(project_dir)), _partial_parse_across_homes():
        _skip_unread_debug_events()
        _cache_compiled_templates(project_dir)
        _lighter_nodes()
        try:
            # as ``InProcessDbt`` parses: no --target (the profile's default, FISCAL_TARGET), which dbt's
            # partial-parse check compares
            result = dbtRunner().invoke(["parse", "--quiet", "--target-path", str(target_path),
                                         "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)])
        finally:
            _close_duckdb()
    if not result.success:
        raise RuntimeError(f"dbt parse of {project_dir} failed: {result.exception}")


def _write_run_results(result, target: Path) -> None:
    """``run_results.json`` of a call, the one artifact read after it (``dbt_isolation`` traces failed tests).

    dbt writes it and the whole manifest (``manifest.json``, ~5 MB, 0.5–0.7 s a call) unless told
    ``--no-write-json``; the refresh reads nodes from the manifest it was defined with, so only the results
    are written."""
    if hasattr(result, "write"):
        target.mkdir(parents=True, exist_ok=True)
        result.write(str(target / "run_results.json"))


class InProcessDbt:
    """A finished ``dbt <args>`` run in this process, in the shape of the ``subprocess.Popen`` that
    dagster-dbt reads: ``args``, ``stdout`` (JSON log lines), ``returncode``, ``wait()``."""

    def __init__(self, args: Sequence[str], stdout=None, stderr=None, env: dict[str, str] | None = None,
                 cwd: str | Path | None = None, **_):
        from dbt.cli.main import dbtRunner
        from dbt_common.events.functions import msg_to_dict

        self.args = list(args)
        lines: list[bytes] = []

        def keep(event) -> None:
            if event.info.level in _LEVELS:
                lines.append(orjson.dumps(msg_to_dict(event), default=str) + b"\n")

        def keep_parse(event) -> None:
            if event.info.name in _PARSE_EVENTS:
                keep(event)

        keep.ignores_debug = keep_parse.ignores_debug = True

        env = dict(env if env is not None else os.environ)
        cwd = str(cwd or os.getcwd())
        # events reach ``keep`` (nothing printed twice); run_results.json is written below, not manifest.json
        dbt_args = [*self.args[1:], "--log-level", "none", "--no-write-json"]
        key = _settings_key(env, cwd)
        with _LOCK, _environment(env, cwd), _partial_parse_across_homes():
            _skip_unread_debug_events()
            _cache_compiled_templates(Path(cwd))
            _lighter_nodes()
            try:
                manifest = _MANIFESTS.get(key)
                if manifest is None:
                    parsed = dbtRunner(callbacks=[keep_parse]).invoke(["parse", "--log-level", "none",
                                                                       "--no-write-json"])
                    if parsed.success:
                        manifest = _MANIFESTS[key] = parsed.result
                result = dbtRunner(manifest=manifest, callbacks=[keep]).invoke(dbt_args)
                _write_run_results(result.result, Path(cwd) / env.get("DBT_TARGET_PATH", "target"))
            finally:
                _close_duckdb()
        self.returncode = 0 if result.success else (2 if result.exception is not None else 1)
        if result.exception is not None:
            lines.append(orjson.dumps({"info": {"level": "error", "msg": f"dbt could not run: {result.exception}",
                                                "name": "InProcessError"}, "data": {}}) + b"\n")
        self.stdout = io.BytesIO(b"".join(lines))

    def wait(self, timeout: float | None = None) -> int:
        return self.returncode

    def send_signal(self, sig) -> None:  # the run has finished before anyone can interrupt it
        return None


@contextlib.contextmanager
def in_process() -> Iterator[None]:
    """dagster-dbt's invocations start ``InProcessDbt`` instead of a ``dbt`` process while this is open."""
    from dagster_dbt.core import dbt_cli_invocation

    shim = types.SimpleNamespace(Popen=InProcessDbt, PIPE=subprocess.PIPE, STDOUT=subprocess.STDOUT)
    original = dbt_cli_invocation.subprocess
    dbt_cli_invocation.subprocess = shim
    try:
        yield
    finally:
        dbt_cli_invocation.subprocess = original
