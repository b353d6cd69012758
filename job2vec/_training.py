"""The JOAPS training loop: batch size adapted on the fly from the violation ratio.

Keras' ``train_on_batch`` does the backend-specific gradient step, so the loop
runs unchanged on JAX, TensorFlow and torch. Batch sizes are powers of two
between the bounds, so a compiled backend traces at most a handful of shapes.
"""

import math
import time

import keras
import numpy as np


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


def pair_batch(part, indices):
    """Network inputs and targets of the pairs `indices` of `part` (WOCR and MNRL)."""
    descriptions, titles, groups = part
    return [descriptions[indices], titles[indices]], groups[indices]


def warp_batch_maker(title_ids_by_group, n_negatives, rng):
    """`make_batch` for the WARP loss: the pairs, then `n_negatives` titles sampled uniformly.

    One sample of distinct titles per batch, shared by its pairs (the paper
    samples k=1000 per pair, which does not fit a CPU); each pair browses it in
    the sampled order.
    """

    def make_batch(part, indices):
        inputs, targets = pair_batch(part, indices)
        sample = rng.choice(len(title_ids_by_group), n_negatives, replace=False)
        return inputs + [title_ids_by_group[sample]], np.concatenate([targets, sample.astype(targets.dtype)])

    return make_batch


def fit_pairs(
    model,
    train,
    validation=None,
    *,
    make_batch=pair_batch,
    epochs,
    batch_size_range,
    violation_thresholds,
    n_iter_no_change,
    rng,
    verbose=0,
):
    """Train `model` on (description ids, title ids, title group) triples.

    Parameters
    ----------
    model : keras.Model
        Compiled JOAPS network with a ``violation_ratio`` metric.
    train, validation : tuple of three arrays
        ``(description_ids, title_ids, title_groups)``; `validation` may be None.
    make_batch : callable, default=pair_batch
        ``make_batch(part, indices) -> (inputs, targets)`` for ``train_on_batch``;
        the WARP loss adds sampled negatives here.
    epochs : int
        Maximum passes over `train`.
    batch_size_range : (int, int)
        Smallest and largest batch size.
    violation_thresholds : (float, float)
        Grow the batch below the first, shrink it above the second.
    n_iter_no_change : int
        Stop after this many epochs without a better validation loss, and
        restore the best weights.
    rng : numpy.random.Generator
        Shuffles the pairs.
    verbose : int
        0 silent, 1 a progress bar per epoch.

    Returns
    -------
    dict of list
        Per epoch: ``loss``, ``violation_ratio``, ``batch_size`` (mean over
        steps), ``final_batch_size``, ``pairs_per_second`` and, with
        validation, ``val_loss`` and ``val_violation_ratio``.
    """
    n_pairs = len(train[2])
    sizes = batch_size_ladder(batch_size_range, n_pairs)
    level = 0
    history = {key: [] for key in ("loss", "violation_ratio", "batch_size", "final_batch_size", "pairs_per_second")}
    if validation is not None:
        history.update(val_loss=[], val_violation_ratio=[])
    best_loss, best_weights, stale = math.inf, None, 0

    for epoch in range(epochs):
        order = rng.permutation(n_pairs)
        progress = keras.utils.Progbar(n_pairs, stateful_metrics=["batch", "violation_ratio"]) if verbose else None
        if progress is not None:
            print(f"Epoch {epoch + 1}/{epochs}")
        start, seen, loss_sum, ratio_sum, steps, size_sum = 0, 0, 0.0, 0.0, 0, 0
        tic = time.perf_counter()
        # The tail shorter than the current batch is left for the next (reshuffled) epoch:
        # a ragged last batch would be one more shape to compile.
        while start + sizes[level] <= n_pairs:
            size = sizes[level]
            batch = order[start : start + size]
            start += size
            logs = model.train_on_batch(*make_batch(train, batch), return_dict=True)
            loss, ratio = float(logs["loss"]), float(logs["violation_ratio"])
            if not math.isfinite(loss):
                raise FloatingPointError("training diverged (the loss is not finite); lower learning_rate.")
            seen += size
            loss_sum += loss * size
            ratio_sum += ratio * size
            size_sum += size
            steps += 1
            level = next_level(level, ratio, len(sizes), violation_thresholds)
            if progress is not None:
                progress.update(seen, [("loss", loss), ("violation_ratio", ratio), ("batch", size)])
        elapsed = time.perf_counter() - tic
        history["loss"].append(loss_sum / max(seen, 1))
        history["violation_ratio"].append(ratio_sum / max(seen, 1))
        history["batch_size"].append(size_sum / max(steps, 1))
        history["final_batch_size"].append(sizes[level])
        history["pairs_per_second"].append(seen / elapsed if elapsed > 0 else float("nan"))

        if validation is None:
            continue
        logs = _evaluate(model, validation, make_batch, sizes[-1])
        history["val_loss"].append(float(logs["loss"]))
        history["val_violation_ratio"].append(float(logs["violation_ratio"]))
        if verbose:
            print(f"val_loss: {logs['loss']:.4f} - val_violation_ratio: {logs['violation_ratio']:.4f}")
        if logs["loss"] < best_loss:
            best_loss, best_weights, stale = logs["loss"], model.get_weights(), 0
        else:
            stale += 1
            if stale >= n_iter_no_change:
                break
    if best_weights is not None:
        model.set_weights(best_weights)
    return history


def _evaluate(model, part, make_batch, batch_size):
    """Mean loss and violation ratio over `part`, batch by batch (pair-weighted)."""
    n_pairs = len(part[2])
    totals = {"loss": 0.0, "violation_ratio": 0.0}
    for start in range(0, n_pairs, batch_size):
        indices = np.arange(start, min(start + batch_size, n_pairs))
        logs = model.test_on_batch(*make_batch(part, indices), return_dict=True)
        for key in totals:
            totals[key] += float(logs[key]) * len(indices)
    return {key: total / n_pairs for key, total in totals.items()}
