"""Folders read as one input (ConvoKit, Stack Exchange, IAC, Reddit dumps) among ordinary files."""

from click.testing import CliRunner

from sna.cli import main
from sna.io import FORMATS, expand_inputs
from tests.helpers import DATA


def test_corpus_folders_are_single_inputs_inside_a_searched_folder():
    files, _ = expand_inputs([DATA])
    for name in ("convokit-cornell", "iac", "reddit-cmv", "stackexchange"):
        assert DATA / name in files
        assert not any(DATA / name in f.parents for f in files), name
    assert DATA / "iac-8052-posts.csv" in files  # ordinary files are still listed
    assert files == sorted(files)


def test_a_given_corpus_folder_is_one_input():
    assert expand_inputs([DATA / "stackexchange"]) == ([DATA / "stackexchange"], [])


def test_formats_lists_the_new_readers():
    result = CliRunner().invoke(main, ["formats"])
    for name in ("reddit", "stackexchange", "convokit", "iac"):
        assert name in result.output
    assert {f.name for f in FORMATS} >= {"reddit", "stackexchange", "convokit", "iac"}
