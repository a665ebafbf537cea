"""What the load scripts' tables say about paired rounds: the median of per-round ratios, with a
95 % bootstrap interval of that median (the rounds resampled with replacement, a fixed seed so
that a table can be made again from its raw file)."""

import random
import statistics


def interval(ratios, resamples=2000):
    """The 2.5th and 97.5th percentiles of the median of `ratios` over `resamples` resamplings."""
    rng = random.Random(19)
    medians = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(resamples))
    return medians[resamples * 25 // 1000], medians[resamples * 975 // 1000 - 1]


def cell(ratios):
    """`median [low–high] (min–max)` of per-round ratios, for a table."""
    low, high = interval(ratios)
    return f"{statistics.median(ratios):.3f} [{low:.3f}–{high:.3f}] ({min(ratios):.2f}–{max(ratios):.2f})"


def read_rows(path):
    """The rows of a load script's raw file: one list of tab-separated fields a line."""
    return [line.rstrip("\n").split("\t") for line in open(path)]
