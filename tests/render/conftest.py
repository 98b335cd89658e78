import matplotlib
import pytest

import sna
from sna.analysis.report import compute_metrics
from tests.helpers import SEED
from tests.render.fixtures import labelled_forum

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def seed_corpus():
    """The seed thread: one named author, no stance, no timestamps."""
    corpus = sna.load(SEED, stance=False)
    return corpus.posts, corpus.edges, corpus.metrics()


@pytest.fixture(scope="session")
def labelled():
    """A labelled forum: three camps, stance on every reply, timestamps."""
    posts, edges = labelled_forum()
    return posts, edges, compute_metrics(posts, edges)


@pytest.fixture(scope="session")
def assumed():
    """The labelled forum with every 4th post attached by an assumed link."""
    posts, edges = labelled_forum(assumed_every=4)
    return posts, edges, compute_metrics(posts, edges)


@pytest.fixture(scope="session")
def xss_corpus():
    posts, edges = labelled_forum(40, xss=True)
    return posts, edges, compute_metrics(posts, edges)
