"""Engines that run the steps of :mod:`sna.steps`.

The local engine is :mod:`sna.pipeline`; :mod:`sna.engine.spark` runs the same steps on Apache Spark.
"""

ENGINES = ("local", "spark")
GRAPH_ON = ("driver", "cluster")
