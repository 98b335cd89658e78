"""The Spark engine's error lines and defaults that need no Java (tests/test_spark.py runs Spark itself)."""

from __future__ import annotations

import pytest

from sna.engine.spark import _java_heap_errors, default_driver_memory
from sna.errors import SnaError


class _Conf:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)


class _Context:
    def __init__(self, values: dict[str, str]) -> None:
        self.conf = _Conf(values)

    def getConf(self) -> _Conf:  # noqa: N802 (pyspark's name)
        return self.conf


class _Session:
    def __init__(self, values: dict[str, str]) -> None:
        self.sparkContext = _Context(values)


class Py4JJavaError(Exception):  # the shape of py4j's error: the Java stack in its text
    pass


def test_java_heap_exhaustion_becomes_one_line_naming_the_heap_and_the_flag() -> None:
    java = Py4JJavaError("An error occurred while calling o123.collectToPython.\n: java.lang.OutOfMemoryError: "
                         "Java heap space\n\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)")  # fmt: skip
    with pytest.raises(SnaError) as raised, _java_heap_errors(_Session({"spark.driver.memory": "6g"})):
        raise java
    message = str(raised.value)
    assert "\n" not in message
    assert "driver memory 6g" in message and "--driver-memory" in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_other_errors_pass_through_unchanged() -> None:
    with pytest.raises(ValueError, match="not a heap problem"), _java_heap_errors(_Session({})):
        raise ValueError("not a heap problem")


@pytest.mark.parametrize(("gib", "heap"), [(1, "1g"), (4, "1g"), (8, "2g"), (24, "6g"), (32, "8g"), (512, "8g")])
def test_default_driver_memory_is_a_quarter_of_the_machine_within_1_to_8_gb(gib: int, heap: str) -> None:
    assert default_driver_memory(gib * 2**30) == heap


class _DeadSession:
    @property
    def sparkContext(self) -> None:  # noqa: N802 (pyspark's name)
        raise ConnectionError("the Java gateway is gone")


def test_a_dead_jvm_still_gives_the_one_line() -> None:
    with pytest.raises(SnaError, match="driver memory unknown"), _java_heap_errors(_DeadSession()):
        raise Py4JJavaError("java.lang.OutOfMemoryError: Java heap space")


def test_driver_memory_under_spark_submit_is_refused_in_one_line_naming_where_to_set_it(tmp_path) -> None:
    from click.testing import CliRunner

    from sna.cli import main

    converted = tmp_path / "posts"
    converted.mkdir()
    result = CliRunner().invoke(main, ["run", str(converted), "--out", str(tmp_path / "out"), "--engine", "spark",
                                       "--master", "submit", "--driver-memory", "8g"])  # fmt: skip
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--driver-memory 8g cannot take effect under spark-submit" in lines[0]
    assert "spark-submit --driver-memory 8g" in lines[0]
    assert not (tmp_path / "out").exists()


def test_driver_memory_with_a_session_already_given_is_refused(tmp_path) -> None:
    from sna.engine.spark import run_spark

    with pytest.raises(SnaError, match="with a Spark session already running"):
        run_spark(tmp_path, tmp_path / "out", driver_memory="4g", spark=_Session({}))  # type: ignore[arg-type]


def test_driver_memory_in_local_mode_is_refused_only_when_a_spark_context_already_runs(monkeypatch) -> None:
    import sna.engine.spark as engine

    monkeypatch.setattr(engine, "_jvm_running", lambda: False)
    engine.refuse_ignored_driver_memory("4g", master="local[2]", session_given=False)
    monkeypatch.setattr(engine, "_jvm_running", lambda: True)
    with pytest.raises(SnaError, match="--driver-memory 4g cannot take effect with a Spark session already running"):
        engine.refuse_ignored_driver_memory("4g", master="local[2]", session_given=False)
    engine.refuse_ignored_driver_memory(None, master="local[2]", session_given=True)
