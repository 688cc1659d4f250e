"""The ScienceWorld JVM handle: finding java, talking to the engine, and never leaving a java process behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap

import psutil
import pytest

from arm_gym.envs.scienceworld.jvm import JavaNotFoundError, JVMDiedError, ScienceWorldJVM, find_java
from tests.envs.processes import gone


@pytest.fixture(scope="module")
def jvm():
    jvm = ScienceWorldJVM()
    yield jvm
    jvm.close()


def test_find_java_prefers_java_home_then_path(monkeypatch, tmp_path):
    fake = tmp_path / "home" / "bin" / "java"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "home"))
    assert find_java() == str(fake)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "nowhere"))
    monkeypatch.setenv("PATH", str(fake.parent))
    assert find_java() == str(fake)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(JavaNotFoundError, match="apt-get install openjdk-17-jre-headless"):
        find_java()


def test_a_java_that_does_not_exist_gives_the_install_hint(tmp_path):
    with pytest.raises(JavaNotFoundError, match=r"needs a Java runtime.*tried"):
        ScienceWorldJVM(java=str(tmp_path / "java"))


def test_strings_fetches_a_java_list_in_one_piece(jvm):
    java_list = jvm.gateway.jvm.java.util.ArrayList()
    assert jvm.strings(java_list) == []
    for item in ("open door to kitchen", "look around", "é ü"):
        java_list.add(item)
    assert jvm.strings(java_list) == ["open door to kitchen", "look around", "é ü"]
    java_list.add("two\nlines")  # falls back to item-by-item iteration
    assert jvm.strings(java_list)[-1] == "two\nlines" and len(jvm.strings(java_list)) == 4


def test_the_engine_answers(jvm):
    names = list(jvm.server.getTaskNames())
    assert len(names) == 30 and "boil" in names
    assert jvm.call(lambda: jvm.server.load("boil", 0, "", False)) == ""
    assert "called the" in jvm.call(lambda: jvm.server.step("look around"))


def _close_in_child(jvm: ScienceWorldJVM) -> None:
    jvm.close()  # a forked copy must leave its parent's JVM alone


def test_a_forked_child_never_stops_its_parents_jvm(jvm):
    child = multiprocessing.get_context("fork").Process(target=_close_in_child, args=(jvm,))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert jvm.alive and "called the" in jvm.call(lambda: jvm.server.step("look around"))


def test_a_killed_jvm_raises_jvm_died_and_close_is_idempotent():
    jvm = ScienceWorldJVM()
    pid = jvm.pid
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(JVMDiedError, match=f"pid {pid}.*killed by signal 9"):
        jvm.call(lambda: jvm.server.step("look around"))
    assert not jvm.alive and gone(pid)
    jvm.close()
    jvm.close()
    with pytest.raises(JVMDiedError, match="killed by signal 9"):  # the first reason sticks
        jvm.call(lambda: jvm.server.getScore())


@pytest.mark.parametrize("ending", ["normal exit", "SIGKILL"])
def test_jvm_does_not_outlive_its_python_process(ending):
    script = textwrap.dedent(
        """
        import sys, time
        from arm_gym.envs.scienceworld.jvm import ScienceWorldJVM
        jvm = ScienceWorldJVM()
        print(jvm.pid, flush=True)
        if sys.argv[1] == "SIGKILL":
            time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script, ending], stdout=subprocess.PIPE, text=True)
    jvm_pid = int(proc.stdout.readline())
    assert psutil.pid_exists(jvm_pid)
    if ending == "SIGKILL":
        proc.kill()  # no atexit, no finalizer: the JVM must notice its stdin closing
    proc.wait(timeout=60)
    proc.stdout.close()
    assert gone(jvm_pid)


def test_java_objects_collected_after_close_do_not_reconnect():
    """py4j tells the JVM about every collected Java object; after close() that must stay quiet."""
    script = textwrap.dedent(
        """
        import gc, logging
        logging.basicConfig()  # as arm-gym's CLI does; py4j's own logger only has a NullHandler
        from arm_gym.envs.scienceworld.jvm import ScienceWorldJVM
        jvm = ScienceWorldJVM()
        java_list = jvm.call(lambda: jvm.server.getTaskNames())  # a Java object that outlives the JVM
        print(type(java_list).__name__, flush=True)
        jvm.close()
        del java_list, jvm
        gc.collect()
        print("done", flush=True)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.split() == ["JavaList", "done"], proc.stderr
    assert "trying to connect to the Java server" not in proc.stderr, proc.stderr
