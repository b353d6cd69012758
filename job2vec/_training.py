"""The one training loop of every network here, and what plugs into it.

- `LOSSES`, the loss registry: name → Keras loss, violation-ratio metric and
  batch builder, in the way `SGDClassifier.loss_functions` maps names to losses.
- `train_network`: ``train_on_batch`` steps with the batch size adapted on the
  fly from the violation ratio (JOAPS), or fixed (Seq2Seq); one early-stopping
  rule; one history format.
- `hold_out` and `seeded`: the validation split and the fit's own random state.

Keras' ``train_on_batch`` does the backend-specific gradient step, so the loop
runs unchanged on JAX, TensorFlow and torch. Batch sizes are powers of two
between the bounds, so a compiled backend traces at most a handful of shapes.
"""

import contextlib
import math
import random
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Callable

import keras
import numpy as np

from .losses import MNRLoss, WARPLoss, WOCRLoss, violation_ratio, warp_violation_ratio

WARP_NEGATIVES = 1000  # k, the paper's number of sampled negatives per WARP step


def pair_batch(part, indices):
    """Network inputs and targets of the pairs `indices` of `part`: ``(every array but the last, the last)``."""
    *inputs, targets = part
    return [a[indices] for a in inputs], targets[indices]


def rows_from_tables(make_batch, description_table, title_tables):
    """`make_batch` over pairs given as keys: the description and title keys become their tables' rows."""

    def make_batch_from_tables(part, indices):
        (description_keys, title_keys), targets = make_batch(part, indices)
        return [description_table[description_keys], *(table[title_keys] for table in title_tables)], targets

    return make_batch_from_tables


def warp_batch_maker(title_ids_by_group, n_negatives, rng, make_batch=pair_batch):
    """`make_batch` for the WARP loss: the pairs (`make_batch`), then `n_negatives` titles sampled uniformly.

    `title_ids_by_group` is the title encoder's input of each title group: an
    array, or a list of arrays (ids and subword pieces).

    One sample of distinct titles per batch, shared by its pairs (the paper
    samples k=1000 per pair, which does not fit a CPU); each pair browses it in
    the sampled order.
    """

    title_arrays = list(title_ids_by_group) if isinstance(title_ids_by_group, (list, tuple)) else [title_ids_by_group]

    def make_warp_batch(part, indices):
        inputs, targets = make_batch(part, indices)
        sample = rng.choice(len(title_arrays[0]), n_negatives, replace=False)
        return inputs + [a[sample] for a in title_arrays], np.concatenate([targets, sample.astype(targets.dtype)])

    return make_warp_batch


@dataclass(frozen=True)
class RankingLoss:
    """What a ranking loss brings to the fit.

    Attributes
    ----------
    make_loss : callable
        ``make_loss(margin, n_negatives) -> keras.losses.Loss``.
    violation_ratio : callable
        The metric ``f(y_true, y_pred, **ratio_args)`` that drives the batch size.
    sampled_negatives : bool
        Whether each batch carries titles sampled from all fitted titles (WARP)
        instead of using only the batch's own (in-batch negatives).
    """

    make_loss: Callable
    violation_ratio: Callable
    sampled_negatives: bool = False

    def metric(self, margin, n_negatives):
        args = dict(margin=margin, n_negatives=n_negatives) if self.sampled_negatives else dict(margin=margin)
        return keras.metrics.MeanMetricWrapper(self.violation_ratio, name="violation_ratio", **args)

    def batch_maker(self, title_ids_by_group, n_negatives, rng, make_batch=pair_batch):
        """`make_batch` with the sampled titles added when the loss uses them."""
        if not self.sampled_negatives:
            return make_batch
        return warp_batch_maker(title_ids_by_group, n_negatives, rng, make_batch)


LOSSES = {
    "wocr": RankingLoss(lambda margin, n_negatives: WOCRLoss(margin), violation_ratio),
    "mnrl": RankingLoss(lambda margin, n_negatives: MNRLoss(), violation_ratio),
    "warp": RankingLoss(lambda margin, n_negatives: WARPLoss(margin, n_negatives), warp_violation_ratio,
                        sampled_negatives=True),
}


@contextlib.contextmanager
def seeded(seed):
    """Seed Python's and NumPy's global generators for a fit, and give the caller's state back after.

    Keras draws the seeds of weight initializers from Python's `random`
    (``keras.random.make_default_seed``), so this makes the network's
    initialization reproducible without changing the caller's generators.
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()
    random.seed(seed)
    np.random.seed(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def with_known_words(pairs, description_ids, estimator_name="the estimator"):
    """The training `pairs` (aligned arrays, description rows first) whose description has a known word.

    To a network before training (zero biases) a description without one is
    the zero vector: its loss has no gradient (`UnitVector` keeps zero at
    zero), so such a pair can teach the network nothing. It is left out,
    with a warning, so the batches and the loss's average hold only pairs
    that train.
    """
    known = (description_ids != 0).any(axis=1)[pairs[0]]
    if not known.any():
        raise ValueError("No training description has a word in the vocabulary: lower min_count, or fit on more "
                         "or longer descriptions.")
    if not known.all():
        warnings.warn(f"{estimator_name}: {int((~known).sum())} of {len(known)} training pairs have no description "
                      "word in the vocabulary and are left out of training (lower min_count to keep them).",
                      UserWarning, stacklevel=3)
    return tuple(a[known] for a in pairs)


def hold_out(arrays, fraction, rng, estimator_name="the estimator"):
    """Split aligned arrays into (train, validation) for early stopping; validation may be None.

    Rows whose first array is identical (the same description ids: a repost)
    stay on one side, as they would between a training set and new postings;
    otherwise the validation split would reward memorizing them, and the
    ranking weights chosen on it would trust the cosine too much. Without
    repeats the split is a plain random one.

    Warns when `fraction` asks for a validation split that the data are too
    small to give, since early stopping (and what is chosen on the split) is
    then off.
    """
    n_pairs = len(arrays[0])
    n_validation = int(round(fraction * n_pairs))
    if n_validation and n_pairs - n_validation >= 2:
        order = rng.permutation(n_pairs)
        position = np.empty(n_pairs, dtype=np.int64)
        position[order] = np.arange(n_pairs)
        _, first, same = np.unique(arrays[0], axis=0, return_index=True, return_inverse=True)
        group_position = position[first][same.ravel()]  # every copy takes the place of its first one
        rows = np.argsort(group_position, kind="stable")
        # Hold out whole groups: the cut moves past the rest of the group it falls in.
        n_held = int(np.searchsorted(group_position[rows], group_position[rows[n_validation - 1]], side="right"))
        if n_pairs - n_held >= 2:
            held_out, kept = rows[:n_held], rows[n_held:]
            return tuple(a[kept] for a in arrays), tuple(a[held_out] for a in arrays)
    if fraction:
        warnings.warn(
            f"{estimator_name}: {n_pairs} pairs are too few to hold out validation_fraction={fraction}; "
            "early stopping is off and nothing is tuned on a validation split.", UserWarning, stacklevel=3)
    return arrays, None


def batch_size_ladder(batch_size_range, n_pairs):
    """Allowed batch sizes: the lower bound doubled up to the upper bound, never above `n_pairs`."""
    low, high = batch_size_range
    high = min(high, n_pairs)
    if low > high:
        return [high]
    sizes = [low]
    while sizes[-1] * 2 <= high:
        sizes.append(sizes[-1] * 2)
    return sizes


def next_level(level, ratio, n_levels, violation_thresholds):
    """The paper's rule: grow the batch when few negatives violate, shrink when most do."""
    low, high = violation_thresholds
    if ratio < low and level + 1 < n_levels:
        return level + 1
    if ratio > high and level > 0:
        return level - 1
    return level


def _duration(seconds):
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class EpochReport:
    """Training progress people can read: one plain line per epoch, and on a terminal a live line.

    Each line gives the loss, the violation ratio (when the loss has one),
    the batch size, pairs per second, the validation loss and the time left
    if every remaining epoch runs (early stopping may end sooner). No colour
    codes or carriage returns reach a log file.
    """

    def __init__(self, epochs, n_pairs, stream=None):
        self.epochs, self.n_pairs = epochs, n_pairs
        self.stream = sys.stdout if stream is None else stream
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = self.shown = time.perf_counter()

    def step(self, epoch, pairs, loss, size):
        """Within an epoch: refresh the live line at most twice a second (terminals only)."""
        now = time.perf_counter()
        if self.live and now - self.shown >= 0.5:
            self.shown = now
            self.stream.write(f"\repoch {epoch}/{self.epochs}: {pairs:,}/{self.n_pairs:,} pairs, "
                              f"loss {loss:.4f}, batch {size}")
            self.stream.flush()

    def end_epoch(self, epoch, history):
        """The epoch's line, from its `history` entries."""
        elapsed = time.perf_counter() - self.started
        parts = [f"epoch {epoch}/{self.epochs}", f"loss {history['loss'][-1]:.4f}"]
        if history.get("violation_ratio"):
            parts.append(f"violation ratio {history['violation_ratio'][-1]:.3f}")
        parts.append(f"batch {history['batch_size'][-1]:.0f} (now {history['final_batch_size'][-1]:.0f})")
        parts.append(f"{history['pairs_per_second'][-1]:.0f} pairs/s")
        if history.get("val_loss"):
            parts.append(f"val_loss {history['val_loss'][-1]:.4f}")
        parts.append(f"{_duration(elapsed)} elapsed")
        if epoch < self.epochs:
            parts.append(f"at most {_duration(elapsed / epoch * (self.epochs - epoch))} left")
        self.stream.write(("\r\033[K" if self.live else "") + " - ".join(parts) + "\n")
        self.stream.flush()


def train_network(
    model,
    train,
    validation=None,
    *,
    make_batch=pair_batch,
    epochs,
    batch_size_range,
    violation_thresholds=None,
    n_iter_no_change,
    rng,
    verbose=0,
):
    """Train a compiled `model` on aligned arrays, one ``train_on_batch`` step at a time.

    Parameters
    ----------
    model : keras.Model
        Compiled. With `violation_thresholds`, it must report a
        ``violation_ratio`` metric.
    train, validation : tuple of arrays
        Aligned arrays that `make_batch` turns into inputs and targets;
        `validation` may be None (no early stopping).
    make_batch : callable, default=pair_batch
        ``make_batch(part, indices) -> (inputs, targets)``.
    epochs : int
        Maximum passes over `train`.
    batch_size_range : (int, int)
        Smallest and largest batch size; ``(b, b)`` is a fixed batch size.
    violation_thresholds : (float, float) or None
        Grow the batch below the first, shrink it above the second (the
        JOAPS rule); None keeps the smallest size.
    n_iter_no_change : int
        Stop after this many epochs without a better validation loss, and
        restore the best weights.
    rng : numpy.random.Generator
        Shuffles the pairs.
    verbose : int
        0 silent; 1 one line per epoch (`EpochReport`).

    Returns
    -------
    dict of list
        Per epoch: ``loss``, ``batch_size`` (mean over steps),
        ``final_batch_size``, ``pairs_per_second``, and ``violation_ratio``
        when the model reports it; with validation, ``val_loss`` (and
        ``val_violation_ratio``). The best epoch's weights are in `model`.
    """
    n_pairs = len(train[-1])
    sizes = batch_size_ladder(batch_size_range, n_pairs)
    level = 0
    history = {key: [] for key in ("loss", "batch_size", "final_batch_size", "pairs_per_second")}
    best_loss, best_weights, stale = math.inf, None, 0

    report = EpochReport(epochs, n_pairs) if verbose else None
    for epoch in range(epochs):
        order = rng.permutation(n_pairs)
        start, steps, sums = 0, 0, {"loss": 0.0, "violation_ratio": 0.0, "pairs": 0}
        tic = time.perf_counter()
        # The tail shorter than the current batch is left for the next (reshuffled) epoch:
        # a ragged last batch would be one more shape to compile.
        while start + sizes[level] <= n_pairs:
            size = sizes[level]
            batch = order[start : start + size]
            start += size
            logs = model.train_on_batch(*make_batch(train, batch), return_dict=True)
            loss = float(logs["loss"])
            if not math.isfinite(loss):
                raise FloatingPointError("training diverged (the loss is not finite); lower learning_rate.")
            sums["loss"] += loss * size
            sums["pairs"] += size
            steps += 1
            if "violation_ratio" in logs:
                ratio = float(logs["violation_ratio"])
                sums["violation_ratio"] += ratio * size
                if violation_thresholds is not None:
                    level = next_level(level, ratio, len(sizes), violation_thresholds)
            if report is not None:
                report.step(epoch + 1, sums["pairs"], loss, size)
        elapsed = time.perf_counter() - tic
        seen = max(sums["pairs"], 1)
        _record(history, loss=sums["loss"] / seen, batch_size=sums["pairs"] / max(steps, 1),
                final_batch_size=sizes[level],
                pairs_per_second=sums["pairs"] / elapsed if elapsed > 0 else float("nan"))
        if "violation_ratio" in logs:
            _record(history, violation_ratio=sums["violation_ratio"] / seen)

        scores = None if validation is None else evaluate_network(model, validation, make_batch, sizes[-1])
        if scores is not None:
            _record(history, **{f"val_{key}": value for key, value in scores.items()})
        if report is not None:
            report.end_epoch(epoch + 1, history)
        if scores is None:
            continue
        if scores["loss"] < best_loss:
            best_loss, best_weights, stale = scores["loss"], model.get_weights(), 0
        else:
            stale += 1
            if stale >= n_iter_no_change:
                break
    if best_weights is not None:
        model.set_weights(best_weights)
    return history


def best_epoch(history):
    """The 1-based epoch whose weights `train_network` kept: the best validation loss, else the last."""
    if history.get("val_loss"):
        return int(np.argmin(history["val_loss"])) + 1
    return len(history["loss"])


def _record(history, **values):
    for key, value in values.items():
        history.setdefault(key, []).append(float(value))


def evaluate_network(model, part, make_batch, batch_size):
    """Mean of each of `model`'s reported scores over `part`, batch by batch (pair-weighted)."""
    n_pairs = len(part[-1])
    totals = {}
    for start in range(0, n_pairs, batch_size):
        indices = np.arange(start, min(start + batch_size, n_pairs))
        logs = model.test_on_batch(*make_batch(part, indices), return_dict=True)
        for key, value in logs.items():
            totals[key] = totals.get(key, 0.0) + float(value) * len(indices)
    return {key: total / n_pairs for key, total in totals.items()}
