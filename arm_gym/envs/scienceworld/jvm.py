"""The Java process behind ARM-ScienceWorld-v0: find ``java``, start the engine, detect a crash, shut it down.

ScienceWorld's simulator is a Scala jar reached through py4j. :class:`ScienceWorldJVM` owns one
such process. It is started with py4j's ``--die-on-broken-pipe``, so the JVM exits by itself when
the Python process that started it dies (even by SIGKILL); it is stopped explicitly by
:meth:`ScienceWorldJVM.close`, when the object is garbage-collected, and at interpreter exit
(a :func:`weakref.finalize`). A forked child (``AsyncVectorEnv`` workers) never stops its parent's JVM.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

JAVA_INSTALL_HINT = (
    "ARM-ScienceWorld-v0 needs a Java runtime (11 or newer) to run ScienceWorld's engine, and no `java` "
    "executable was found on PATH (nor under $JAVA_HOME/bin). Install one, e.g. "
    "`sudo apt-get install openjdk-17-jre-headless` (Debian/Ubuntu), `brew install openjdk@17` (macOS) or "
    "`conda install -c conda-forge openjdk=17`, then check that `java -version` works."
)


class JavaNotFoundError(RuntimeError):
    """No ``java`` executable: ScienceWorld cannot start."""


class JVMDiedError(RuntimeError):
    """The ScienceWorld Java process stopped, stopped answering, or the connection to it broke."""


def find_java() -> str:
    """The ``java`` executable to use: ``$JAVA_HOME/bin/java`` when it exists, else ``java`` on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = os.path.join(java_home, "bin", "java")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("java")
    if found is None:
        raise JavaNotFoundError(JAVA_INSTALL_HINT)
    return found


def _shutdown(gateway: Any, process: subprocess.Popen, owner_pid: int) -> None:
    """Stop a JVM and close py4j's sockets; never raises. Only the process that started it acts."""
    if os.getpid() != owner_pid:
        return
    with contextlib.suppress(Exception):  # best effort during teardown
        # Java objects still referenced in Python (lists in old infos, the server handle) would,
        # when collected later, each try to reconnect to tell the JVM; py4j skips that once its
        # client is marked disconnected (it has no public switch for it).
        gateway._gateway_client.is_connected = False
    with contextlib.suppress(Exception):
        gateway.close()  # Python-side sockets only: sends nothing to a possibly dead JVM
    if process.poll() is None:
        try:
            process.stdin.close()  # --die-on-broken-pipe: the JVM exits when its stdin closes
        except OSError:
            pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - a process that ignores SIGKILL
                logger.warning("ScienceWorld JVM (pid %d) did not exit after SIGKILL", process.pid)
    for stream in (process.stdin, process.stdout, process.stderr):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass


class ScienceWorldJVM:
    """One running ScienceWorld engine (a JVM) and py4j's handle on its ``PythonInterface``.

    Args:
        java: the ``java`` executable (default: :func:`find_java`).
        timeout: seconds to wait for any one answer from the engine before declaring it hung
            (``None``: wait forever). A hung engine is killed.
        java_options: extra JVM options, e.g. ``("-Xmx1g",)``.
    """

    def __init__(self, *, java: str | None = None, timeout: float | None = 120.0, java_options: Sequence[str] = ()):
        from py4j.java_gateway import GatewayParameters, JavaGateway, launch_gateway
        from scienceworld.constants import BASEPATH, JAR_PATH

        java = java or find_java()
        if shutil.which(java) is None:
            raise JavaNotFoundError(f"{JAVA_INSTALL_HINT} (tried {java!r})")
        try:
            port, process = launch_gateway(
                classpath=JAR_PATH,
                die_on_exit=True,
                cwd=BASEPATH,
                return_proc=True,
                java_path=java,
                javaopts=list(java_options),
            )
        except FileNotFoundError as exc:
            raise JavaNotFoundError(f"{JAVA_INSTALL_HINT} (tried {java!r})") from exc
        except ValueError as exc:  # py4j could not read the port: the JVM failed at start
            raise RuntimeError(
                f"the ScienceWorld engine did not start with {java!r}; check that `{java} -version` reports "
                "Java 11 or newer and that the scienceworld package is intact"
            ) from exc
        self.process: subprocess.Popen = process
        self.gateway = JavaGateway(
            gateway_parameters=GatewayParameters(port=port, auto_field=True, read_timeout=timeout),
            java_process=process,
        )
        self._finalizer = weakref.finalize(self, _shutdown, self.gateway, process, os.getpid())
        self._death: str | None = None  # why the engine was given up, once it was
        self.server = self.call(lambda: self.gateway.jvm.scienceworld.runtime.pythonapi.PythonInterface())
        self._join = self.call(lambda: self.gateway.jvm.java.lang.String.join)
        logger.info("started ScienceWorld JVM (pid %d, port %d)", process.pid, port)

    @property
    def pid(self) -> int:
        """The JVM's process id."""
        return self.process.pid

    @property
    def alive(self) -> bool:
        """Whether the JVM process is running and was not closed."""
        return self._finalizer.alive and self.process.poll() is None

    def describe_death(self) -> str:
        """A short description of why the JVM is gone, for observations and logs."""
        if self._death is not None:
            return self._death
        if not self._finalizer.alive:
            return "was closed"
        code = self.process.poll()
        if code is None:
            return "stopped answering"
        if code < 0:
            return f"was killed by signal {-code}"
        return f"exited with code {code}"

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` (py4j calls); a dead, hung or disconnected engine raises :class:`JVMDiedError`.

        A Java exception inside the engine (``Py4JJavaError``) passes through: the JVM is still fine.
        """
        from py4j.protocol import Py4JError, Py4JJavaError

        if not self.alive:
            raise JVMDiedError(f"the ScienceWorld Java process (pid {self.pid}) {self.describe_death()}")
        try:
            return fn()
        except Py4JJavaError:
            raise
        except Py4JError as exc:
            try:
                self.process.wait(timeout=1)  # a killed JVM may take a moment to be reaped
            except subprocess.TimeoutExpired:
                pass
            reason = self._death = self.describe_death()
            self.close()  # a hung or half-connected engine is not reusable
            raise JVMDiedError(f"the ScienceWorld Java process (pid {self.pid}) {reason}: {exc}") from exc

    def strings(self, java_list: Any) -> list[str]:
        """A Java ``List<String>`` as a Python list in two round trips.

        py4j iterates a Java list with one round trip per element (a 400-action listing takes 400), so
        the list is joined on the Java side instead; it falls back to iteration if an item holds a newline.
        """
        size = java_list.size()
        if size == 0:
            return []
        items = str(self._join("\n", java_list)).split("\n")
        return items if len(items) == size else [str(item) for item in java_list]

    def close(self) -> None:
        """Stop the JVM (idempotent)."""
        self._finalizer()
