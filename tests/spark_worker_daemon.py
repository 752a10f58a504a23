"""PySpark's worker daemon with the extraction pipeline built before it forks its workers.

Spark starts one Python daemon per executor and forks a worker from it for each task slot; with
the stock daemon every worker builds the pipeline on its first partition (with entities, seconds
of CPU each, two at once in ``local[2]``). Built once in the daemon, the forked workers share it,
as the command's own workers share the one the parent built. Run as
``spark.python.daemon.module``; ``extract.spark`` still calls ``warm_up``, which then finds it
built. What a worker computes is unchanged.
"""

from extract.pipeline import warm_up

warm_up()

from pyspark.daemon import manager  # noqa: E402  (after the build: the workers fork from here)

manager()
